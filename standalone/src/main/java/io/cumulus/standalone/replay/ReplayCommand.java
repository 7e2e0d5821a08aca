package io.cumulus.standalone.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.standalone.StandaloneSettings;
import io.cumulus.standalone.replay.ReplayRange.Bound;
import io.cumulus.standalone.replay.ReplayRange.BadReplay;

/**
 * {@code cumulus admin replay --topic T --from OFFSET|TIME --to OFFSET|TIME [--into TOPIC] [--partition N]}:
 * reads the range of {@code T} (read_committed, no consumer group) and publishes each record again
 * into {@code TOPIC} (by default {@code T} itself), with its key, value, headers and timestamp
 * unchanged and, when the target has it, into the same partition, printing its progress every
 * second. It runs here, in the command, against Kafka directly: a replay is Kafka's business alone, and
 * the command finds the brokers as the server does ({@code --kafka-bootstrap}, else the in-process
 * broker on {@code --kafka-port} of this machine). It refuses, before publishing anything, to publish
 * into Cumulus's own topics ({@link ReplayRange#refuseCumulusTopic}). Creates a missing target with the
 * source's partition count. Only records Kafka acknowledged are counted; the first one it does not
 * acknowledge ends the replay with its error. Exit codes: 0 done, 1 Kafka failed midway (a send or a
 * read), 2 bad usage or refused.
 */
public final class ReplayCommand {
    private static final Logger log = LoggerFactory.getLogger(ReplayCommand.class);
    public static final int DONE = 0;
    public static final int FAILED = 1;
    public static final int REFUSED = 2;

    public static final String USAGE = "cumulus admin replay --topic T --from OFFSET|TIME --to OFFSET|TIME [--into TOPIC]"
            + " [--partition N] [--kafka-bootstrap=H:P | --kafka-port=N]";
    private static final Set<String> OWN = Set.of("topic", "from", "to", "into", "partition");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private ReplayCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        ReplayRange range;
        String bootstrap;
        try {
            Map<String, String> own = new HashMap<>();
            List<String> serverOptions = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                String name = arg.startsWith("--") ? arg.substring(2).split("=", 2)[0] : "";
                if (!OWN.contains(name)) {
                    serverOptions.add(arg);
                } else if (arg.contains("=")) {
                    own.put(name, arg.substring(arg.indexOf('=') + 1));
                } else if (i + 1 < args.size()) {
                    own.put(name, args.get(++i));
                } else {
                    throw new BadReplay("--" + name + " needs a value");
                }
            }
            for (String required : List.of("topic", "from", "to")) {
                if (!own.containsKey(required)) {
                    throw new BadReplay("--" + required + " is required");
                }
            }
            OptionalInt partition = OptionalInt.empty();
            if (own.containsKey("partition")) {
                if (!own.get("partition").matches("\\d{1,9}")) {
                    throw new BadReplay("--partition '" + own.get("partition") + "' is not a partition number");
                }
                partition = OptionalInt.of(Integer.parseInt(own.get("partition")));
            }
            range = new ReplayRange(own.get("topic"), Bound.parse("--from", own.get("from")),
                    Bound.parse("--to", own.get("to")), own.getOrDefault("into", own.get("topic")), partition);
            StandaloneSettings settings = StandaloneSettings.from(serverOptions, env);
            bootstrap = settings.kafkaBootstrap().orElse("127.0.0.1:" + settings.kafkaPort());
        } catch (BadReplay | StandaloneSettings.BadSettings e) {
            return refuse(err, e.getMessage());
        }
        try {
            return replay(range, bootstrap, out, err);
        } catch (BadReplay e) {
            return refuse(err, e.getMessage());
        } catch (RuntimeException e) {
            if (unreachable(e)) {
                log.warn("replay failed, no Kafka broker answers bootstrap={} timeout={}", bootstrap, TIMEOUT);
                err.println("cumulus: no Kafka broker answers at " + bootstrap + " within " + TIMEOUT.toSeconds()
                        + " s; start Cumulus first (./cumulus), or name its cluster with --kafka-bootstrap=HOST:PORT");
                return FAILED;
            }
            log.error("replay failed topic={} into={}", range.topic(), range.into(), e);
            err.println("cumulus: the replay failed: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            return FAILED;
        }
    }

    /** Whether the failure is Kafka's client giving up on reaching any broker. */
    private static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static int refuse(PrintStream err, String problem) {
        log.warn("replay refused problem={}", problem);
        err.println("cumulus: " + problem);
        err.println("usage: " + USAGE);
        return REFUSED;
    }

    private static int replay(ReplayRange range, String bootstrap, PrintStream out, PrintStream err) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int sourcePartitions = partitions(admin, range.topic())
                    .orElseThrow(() -> new BadReplay("no topic " + range.topic() + " on " + bootstrap));
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < sourcePartitions; p++) {
                partitions.add(new TopicPartition(range.topic(), p));
            }
            partitions.removeIf(tp -> range.onlyPartition().isPresent() && tp.partition() != range.onlyPartition().get());
            if (partitions.isEmpty()) {
                throw new BadReplay(range.topic() + " has no partition " + range.partition().getAsInt() + " (it has "
                        + sourcePartitions + ")");
            }
            Map<TopicPartition, Long> starts = resolve(consumer, partitions, range.from());
            Map<TopicPartition, Long> ends = resolve(consumer, partitions, range.to());
            long total = 0;
            for (TopicPartition tp : partitions) {
                total += Math.max(0, ends.get(tp) - starts.get(tp));
            }
            int targetPartitions = partitions(admin, range.into()).orElseGet(() -> create(admin, range.into(), sourcePartitions));
            out.printf("replay: %s partition(s) %s, %,d record(s) at most, into %s%n", range.topic(),
                    partitions.stream().map(tp -> String.valueOf(tp.partition())).toList(), total, range.into());
            log.info("replay started topic={} into={} partitions={} from={} to={} records={}", range.topic(), range.into(),
                    partitions.size(), starts, ends, total);
            long published = copy(consumer, range.into(), targetPartitions, starts, ends, total, bootstrap, out);
            out.printf("replay: done, %,d record(s) from %s published into %s%n", published, range.topic(), range.into());
            log.info("replay done topic={} into={} records={}", range.topic(), range.into(), published);
            return DONE;
        }
    }

    private static long copy(KafkaConsumer<byte[], byte[]> consumer, String into, int targetPartitions,
            Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, long total, String bootstrap,
            PrintStream out) {
        Map<TopicPartition, Long> pending = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
        starts.forEach((tp, start) -> {
            if (start < ends.get(tp)) {
                pending.put(tp, start);
            }
        });
        AtomicLong published = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.assign(pending.keySet());
            pending.forEach(consumer::seek);
            while (!pending.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (!pending.containsKey(tp) || r.offset() >= ends.get(tp)) {
                        continue;
                    }
                    Integer partition = r.partition() < targetPartitions ? r.partition() : null;
                    producer.send(new ProducerRecord<>(into, partition, r.timestamp(), r.key(), r.value(), r.headers()),
                            (metadata, e) -> {
                                if (e == null) {
                                    published.incrementAndGet();
                                } else {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }
                stopOnFailure(failure, into, published);
                for (TopicPartition tp : List.copyOf(pending.keySet())) {
                    if (consumer.position(tp) >= ends.get(tp)) {
                        pending.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                if (System.nanoTime() >= nextProgress) {
                    producer.flush();
                    stopOnFailure(failure, into, published);
                    long acknowledged = published.get();
                    out.printf("replay: %,d/%,d records (%d%%)%n", acknowledged, total,
                            total == 0 ? 100 : acknowledged * 100 / total);
                    nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
                }
            }
            producer.flush();
            stopOnFailure(failure, into, published);
        }
        return published.get();
    }

    /** The first send Kafka did not acknowledge ends the replay: a record may be missing from the target. */
    private static void stopOnFailure(AtomicReference<Exception> failure, String into,
            AtomicLong published) {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("publishing into " + into + " failed after " + published.get()
                    + " acknowledged record(s)", e);
        }
    }

    /** The offset a bound stands for in each partition: an offset as given (within the partition), a time's first record. */
    private static Map<TopicPartition, Long> resolve(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Bound bound) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> resolved = new HashMap<>();
        switch (bound) {
            case ReplayRange.Offset o -> partitions.forEach(tp ->
                    resolved.put(tp, Math.min(Math.max(o.offset(), begin.get(tp)), end.get(tp))));
            case ReplayRange.Time t -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(tp -> query.put(tp, t.at().toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                partitions.forEach(tp -> resolved.put(tp, Optional.ofNullable(found.get(tp))
                        .map(OffsetAndTimestamp::offset).orElse(end.get(tp))));
            }
        }
        return resolved;
    }

    private static Optional<Integer> partitions(Admin admin, String topic) {
        try {
            TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
            return Optional.of(d.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot describe " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int create(Admin admin, String topic, int partitions) {
        try {
            admin.createTopics(Set.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return partitions(admin, topic).orElse(partitions);
            }
            throw new IllegalStateException("cannot create " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
