package io.cumulus.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
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
 * that skipped a batch would number the namespace's history wrongly forever.
 */
public final class ReconcilerApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconcilerApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> PUBLIC_TOPICS = Set.of(Topics.CHANGES, Topics.OUTCOMES, Topics.FILE_EVENTS,
            Topics.CONFLICTS, Topics.FILE_STATE, Topics.CHUNK_REFS);

    private final ReconcilerConfig config;
    private KafkaStreams streams;

    public ReconcilerApp(ReconcilerConfig config) {
        this.config = config;
    }

    /** Creates the missing public topics and checks the others, then starts processing in the background. */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("the reconciler was already started");
        }
        ensureTopics();
        KafkaStreams client = new KafkaStreams(ReconcilerTopology.build(config.conflicts(), config.retention(),
                config.textMerge()),
                config.streamsProperties(), new TimedCommits());
        client.setUncaughtExceptionHandler(e -> {
            log.error("reconciler failed, shutting down applicationId={}", config.applicationId(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        client.setStateListener((now, before) -> log.info("reconciler state changed applicationId={} state={} from={}",
                config.applicationId(), now, before));
        streams = client;
        client.start();
    }

    /** The Kafka Streams client's state; {@code NOT_RUNNING} before {@link #start()} and after {@link #close()}. */
    public synchronized KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    @Override
    public synchronized void close() {
        if (streams == null) {
            return;
        }
        boolean stopped = streams.close(CLOSE_TIMEOUT);
        if (!stopped) {
            log.warn("reconciler did not stop in time applicationId={} timeout={}", config.applicationId(),
                    CLOSE_TIMEOUT);
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
