package io.cumulus.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;

/**
 * The running reconciler: a Kafka Streams client executing {@link ReconcilerTopology}. {@link #start()}
 * makes sure the public topics exist and returns once the client is starting; {@link #close()} stops
 * it, committing what it processed. An unexpected error stops the whole client, loudly: a reconciler
 * that skipped a batch would number the namespace's history wrongly forever. {@link #rebuild()} builds
 * a new generation of its state stores beside the running one and switches to it
 * (docs/decisions/0035-rebuilding-the-reconciler-and-sync-state.md).
 */
public final class ReconcilerApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconcilerApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** How long a hand-over whose close timed out still waits for the publishing generation to stop. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(2);
    private static final Set<String> PUBLIC_TOPICS = Set.of(Topics.CHANGES, Topics.OUTCOMES, Topics.FILE_EVENTS,
            Topics.CONFLICTS, Topics.FILE_STATE, Topics.CHUNK_REFS);

    private final ReconcilerConfig config;
    // Read without the lock (readiness, consumer lag), which a hand-over holds while the old generation stops.
    private volatile KafkaStreams streams;
    private volatile ActiveGeneration active;
    /** True while {@link #handOver} stops one generation and starts publishing with the next. */
    private volatile boolean handingOver;
    private ReconcilerRebuild rebuild;

    public ReconcilerApp(ReconcilerConfig config) {
        this.config = config;
    }

    /**
     * Creates the missing public topics and checks the others, then starts processing in the
     * background, as the generation of the stores last switched to ({@link ActiveGeneration}).
     */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("the reconciler was already started");
        }
        ensureTopics();
        active = ActiveGeneration.read(config.bootstrapServers(), config.applicationId());
        KafkaStreams client = client(applicationId(), active.gate());
        streams = client;
        client.start();
        if (active.generation() > 1) {
            log.info("reconciler started applicationId={} generation={}", applicationId(), active.generation());
        }
    }

    /** The Kafka Streams client of one generation of the stores, not started. */
    KafkaStreams client(String applicationId, GenerationGate gate) {
        LocalStores.prepare(config.stateDir(), applicationId);
        KafkaStreams client = new KafkaStreams(ReconcilerTopology.build(config.conflicts(), config.retention(),
                config.textMerge(), gate), config.withApplicationId(applicationId).streamsProperties(), new TimedCommits());
        client.setUncaughtExceptionHandler(e -> {
            if (e instanceof GenerationGate.Aborted || e.getCause() instanceof GenerationGate.Aborted) {
                log.info("reconciler rebuild stopped applicationId={}", applicationId);
            } else {
                log.error("reconciler failed, shutting down applicationId={}", applicationId, e);
            }
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        client.setStateListener((now, before) -> log.info("reconciler state changed applicationId={} state={} from={}",
                applicationId, now, before));
        return client;
    }

    /**
     * The Kafka Streams client's state; {@code NOT_RUNNING} before {@link #start()} and after {@link #close()}.
     * While a rebuilt generation takes over ({@link #handOver}) the publishing client stops on purpose:
     * {@code REBALANCING} then, so that no watcher takes the switch for a reconciler that stopped for good.
     */
    public KafkaStreams.State state() {
        if (handingOver) {
            return KafkaStreams.State.REBALANCING;
        }
        KafkaStreams client = streams;
        return client == null ? KafkaStreams.State.NOT_RUNNING : client.state();
    }

    /** The generation of the stores that publishes: 1 until a rebuild has switched. */
    public int generation() {
        ActiveGeneration publishing = active;
        return publishing == null ? 1 : publishing.generation();
    }

    /** The Kafka Streams application id of the publishing generation (its group, transactional ids, changelogs). */
    public String applicationId() {
        return ActiveGeneration.applicationId(config.applicationId(), generation());
    }

    /** The digests of the publishing generation's stores; the reconciler must be running. */
    public synchronized ReconcilerDigest digest() {
        if (streams == null) {
            throw new IllegalStateException("the reconciler is not running");
        }
        return ReconcilerDigest.of(streams);
    }

    /**
     * Starts building the next generation of the stores from the changes topic, silently, beside the
     * publishing one; see {@link ReconcilerRebuild}. One at a time, and only while every member of the
     * publishing generation's group is this process's ({@link ReconcilerGroup}).
     *
     * @throws IllegalStateException when the reconciler is not running, a rebuild already runs, or a
     *                               reconciler instance of another process is in the group
     */
    public synchronized ReconcilerRebuild rebuild() {
        if (streams == null) {
            throw new IllegalStateException("the reconciler is not running in this process");
        }
        if (rebuild != null && !rebuild.finished()) {
            throw new IllegalStateException("a rebuild of the reconciler's stores already runs (generation "
                    + rebuild.generation() + ")");
        }
        requireAloneInGroup();
        rebuild = ReconcilerRebuild.start(this, config, generation() + 1, applicationId());
        return rebuild;
    }

    /**
     * Refuses unless every member of the publishing generation's group is one of this process's stream
     * threads: a reconciler instance of another process would go on publishing as the old generation.
     */
    private void requireAloneInGroup() {
        Set<String> own;
        try {
            own = streams.metadataForLocalThreads().stream().map(ThreadMetadata::consumerClientId)
                    .collect(Collectors.toSet());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the reconciler is not running in this process (state " + streams.state()
                    + ")", e);
        }
        ReconcilerGroup.requireOnly(applicationId(), ReconcilerGroup.members(config.bootstrapServers(), applicationId()),
                own);
    }

    /**
     * Stops the publishing generation, records {@code next} as the one that publishes from the
     * positions the stopped one reached, and lets it publish; then drops the stopped generation's
     * group, changelogs and local state. On a failure before the record is written, the stopped
     * generation starts again and nothing has changed. Refused, with nothing stopped, while a reconciler
     * instance of another process is in the publishing generation's group.
     */
    synchronized void handOver(ReconcilerRebuild next) {
        requireAloneInGroup();
        handingOver = true;
        try {
            switchTo(next);
        } finally {
            handingOver = false;
        }
    }

    private void switchTo(ReconcilerRebuild next) {
        KafkaStreams old = streams;
        String oldApplicationId = applicationId();
        // Leaving the group (Kafka Streams stays in it on close by default, for a restart) lets its group be deleted.
        if (!old.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT))) {
            boolean restarted = restartAfterSlowStop(old, oldApplicationId);
            throw new IllegalStateException("the publishing reconciler did not stop within " + CLOSE_TIMEOUT
                    + "; the rebuilt stores were not switched to" + (restarted ? " and the publishing generation runs again"
                    : " and the publishing generation has not stopped yet: restart the process"));
        }
        LocalStores.markCleanStop(config.stateDir(), oldApplicationId);
        ActiveGeneration switched;
        try {
            Map<Integer, Long> stoppedAt = next.committedPositions(oldApplicationId);
            switched = new ActiveGeneration(next.generation(), stoppedAt);
            switched.write(config.bootstrapServers(), config.applicationId(), config.replicationFactor());
        } catch (RuntimeException e) {
            streams = client(oldApplicationId, active.gate());
            streams.start();
            throw e;
        }
        next.handOver(switched.loudFrom());
        streams = next.streams();
        active = switched;
        log.info("reconciler switched to rebuilt stores applicationId={} generation={} publishesFrom={}",
                applicationId(), switched.generation(), switched.format());
        old.cleanUp();
        ReconcilerRebuild.dropGroupAndChangelogs(config.bootstrapServers(), oldApplicationId);
    }

    /**
     * The publishing generation's client went on stopping past the close timeout: once it has stopped,
     * a new client of that generation starts, so a failed hand-over does not leave the reconciler
     * stopped. False when it does not stop within {@link #STOP_WAIT} either (it is kept, to be closed).
     */
    private boolean restartAfterSlowStop(KafkaStreams old, String oldApplicationId) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (!stopped(old.state())) {
            if (System.nanoTime() > deadline) {
                log.error("reconciler did not stop, not restarted applicationId={} state={}", oldApplicationId,
                        old.state());
                return false;
            }
            try {
                Thread.sleep(100); // Kafka Streams signals its state changes only to its one state listener
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.error("interrupted while waiting for the reconciler to stop applicationId={}", oldApplicationId);
                return false;
            }
        }
        streams = client(oldApplicationId, active.gate());
        streams.start();
        log.warn("reconciler hand-over failed, publishing generation started again applicationId={} generation={}",
                oldApplicationId, active.generation());
        return true;
    }

    private static boolean stopped(KafkaStreams.State state) {
        return state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.ERROR;
    }

    @Override
    public synchronized void close() {
        if (rebuild != null && !rebuild.finished()) {
            rebuild.abort();
        }
        if (streams == null) {
            return;
        }
        boolean stopped = streams.close(CLOSE_TIMEOUT);
        if (stopped) {
            LocalStores.markCleanStop(config.stateDir(), applicationId());
        } else {
            log.warn("reconciler did not stop in time applicationId={} timeout={}", applicationId(), CLOSE_TIMEOUT);
        }
        streams = null;
    }

    /**
     * The public topics are normally created by whoever runs the broker; when some are missing they
     * get as many partitions as the changes topic already has, so keys spread the same way. Every
     * topic is then checked against its spec ({@link TopicSpecs#ensure}): a config that can be fixed
     * is, and a topic that cannot be used stops the start.
     */
    private void ensureTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            int partitions = config.partitionsIfMissing();
            if (existing.contains(Topics.CHANGES)) {
                TopicDescription changes = admin.describeTopics(Set.of(Topics.CHANGES)).allTopicNames().get()
                        .get(Topics.CHANGES);
                partitions = changes.partitions().size();
            }
            TopicSpecs.ensure(admin, partitions, (short) config.replicationFactor());
            if (!existing.containsAll(PUBLIC_TOPICS)) {
                log.info("public topics created partitions={}", partitions);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Cumulus topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the Cumulus topics on " + config.bootstrapServers(),
                    e.getCause());
        }
    }
}
