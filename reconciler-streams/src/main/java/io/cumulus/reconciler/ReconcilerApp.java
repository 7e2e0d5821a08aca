package io.cumulus.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
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
    private static final Set<String> PUBLIC_TOPICS = Set.of(Topics.CHANGES, Topics.OUTCOMES, Topics.FILE_EVENTS,
            Topics.FILE_STATE, Topics.CHUNK_REFS);

    private final ReconcilerConfig config;
    private KafkaStreams streams;
    private ActiveGeneration active;
    private ReconcilerRebuild rebuild;

    public ReconcilerApp(ReconcilerConfig config) {
        this.config = config;
    }

    /**
     * Creates the missing public topics, then starts processing in the background, as the generation
     * of the stores last switched to ({@link ActiveGeneration}).
     */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("the reconciler was already started");
        }
        createMissingTopics();
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

    /** The Kafka Streams client's state; {@code NOT_RUNNING} before {@link #start()} and after {@link #close()}. */
    public synchronized KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    /** The generation of the stores that publishes: 1 until a rebuild has switched. */
    public synchronized int generation() {
        return active == null ? 1 : active.generation();
    }

    /** The Kafka Streams application id of the publishing generation (its group, transactional ids, changelogs). */
    public synchronized String applicationId() {
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
     * publishing one; see {@link ReconcilerRebuild}. One at a time.
     *
     * @throws IllegalStateException when the reconciler is not running or a rebuild already runs
     */
    public synchronized ReconcilerRebuild rebuild() {
        if (streams == null) {
            throw new IllegalStateException("the reconciler is not running in this process");
        }
        if (rebuild != null && !rebuild.finished()) {
            throw new IllegalStateException("a rebuild of the reconciler's stores already runs (generation "
                    + rebuild.generation() + ")");
        }
        rebuild = ReconcilerRebuild.start(this, config, generation() + 1, applicationId());
        return rebuild;
    }

    /**
     * Stops the publishing generation, records {@code next} as the one that publishes from the
     * positions the stopped one reached, and lets it publish; then drops the stopped generation's
     * group, changelogs and local state. On a failure before the record is written, the stopped
     * generation starts again and nothing has changed.
     */
    synchronized void handOver(ReconcilerRebuild next) {
        KafkaStreams old = streams;
        String oldApplicationId = applicationId();
        // Leaving the group (Kafka Streams stays in it on close by default, for a restart) lets its group be deleted.
        if (!old.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT))) {
            throw new IllegalStateException("the publishing reconciler did not stop within " + CLOSE_TIMEOUT
                    + "; the rebuilt stores were not switched to");
        }
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

    @Override
    public synchronized void close() {
        if (rebuild != null && !rebuild.finished()) {
            rebuild.abort();
        }
        if (streams == null) {
            return;
        }
        boolean stopped = streams.close(CLOSE_TIMEOUT);
        if (!stopped) {
            log.warn("reconciler did not stop in time applicationId={} timeout={}", applicationId(), CLOSE_TIMEOUT);
        }
        streams = null;
    }

    /**
     * The public topics are normally created by whoever runs the broker; when some are missing they
     * get as many partitions as the changes topic already has, so keys spread the same way.
     */
    private void createMissingTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            if (existing.containsAll(PUBLIC_TOPICS)) {
                return;
            }
            int partitions = config.partitionsIfMissing();
            if (existing.contains(Topics.CHANGES)) {
                TopicDescription changes = admin.describeTopics(Set.of(Topics.CHANGES)).allTopicNames().get()
                        .get(Topics.CHANGES);
                partitions = changes.partitions().size();
            }
            TopicSpecs.createMissing(admin, partitions, (short) config.replicationFactor());
            log.info("public topics created partitions={}", partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Cumulus topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the Cumulus topics on " + config.bootstrapServers(),
                    e.getCause());
        }
    }
}
