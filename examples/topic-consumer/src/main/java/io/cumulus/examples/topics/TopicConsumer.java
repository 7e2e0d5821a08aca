package io.cumulus.examples.topics;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ConflictEvent;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.VersionEntry;

/**
 * A downstream consumer of Cumulus, as small as one can be: it subscribes to the file events and the
 * conflicts, decodes each record with the schemas module and prints one line per event. Copy it as a
 * start; docs/topics.md says what every field means.
 *
 * <pre>
 * java -cp examples/topic-consumer/target/classes:$(cat examples/topic-consumer/target/topic-consumer.classpath) \
 *     io.cumulus.examples.topics.TopicConsumer --bootstrap-server 127.0.0.1:9092 [--group G] [--from-beginning] [--exit-when-idle MS]
 * </pre>
 *
 * <ul>
 *   <li>{@code --group}: the consumer group; without it a fresh group each run (nothing is remembered).
 *   <li>{@code --from-beginning}: a new group starts at the oldest record, not the newest.
 *   <li>{@code --exit-when-idle MS}: stop once no record came for that long (default: run until killed).
 * </ul>
 */
public final class TopicConsumer {
    private static final AvroSerde<FileEvent> FILE_EVENTS = AvroSerde.fileEvents();
    private static final AvroSerde<ConflictEvent> CONFLICTS = AvroSerde.conflicts();

    record Options(String bootstrapServers, String group, boolean fromBeginning, Duration exitWhenIdle) {
        static Options parse(String... args) {
            String bootstrap = null;
            String group = "cumulus-example-" + UUID.randomUUID();
            boolean fromBeginning = false;
            Duration idle = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--bootstrap-server" -> bootstrap = value(args, ++i);
                    case "--group" -> group = value(args, ++i);
                    case "--from-beginning" -> fromBeginning = true;
                    case "--exit-when-idle" -> idle = Duration.ofMillis(Long.parseLong(value(args, ++i)));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (bootstrap == null) {
                throw new IllegalArgumentException("--bootstrap-server HOST:PORT is required");
            }
            return new Options(bootstrap, group, fromBeginning, idle);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }
            return args[i];
        }
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("topic-consumer: " + e.getMessage());
            System.err.println("usage: TopicConsumer --bootstrap-server HOST:PORT [--group G] [--from-beginning]"
                    + " [--exit-when-idle MS]");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    static void run(Options options, PrintStream out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.fromBeginning() ? "earliest" : "latest");
        // The reconciler writes in transactions: read only what it committed.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.FILE_EVENTS, Topics.CONFLICTS));
            Instant lastRecord = Instant.now();
            while (options.exitWhenIdle() == null
                    || Duration.between(lastRecord, Instant.now()).compareTo(options.exitWhenIdle()) < 0) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> record : records) {
                    out.println(line(record));
                }
                if (!records.isEmpty()) {
                    lastRecord = Instant.now();
                    consumer.commitSync();
                }
            }
        }
    }

    /** One readable line for a record of either topic. */
    static String line(ConsumerRecord<String, byte[]> record) {
        return switch (record.topic()) {
            case Topics.FILE_EVENTS -> fileEvent(FILE_EVENTS.decode(record.value()));
            case Topics.CONFLICTS -> conflict(CONFLICTS.decode(record.value()));
            default -> throw new IllegalStateException("not subscribed to " + record.topic());
        };
    }

    static String fileEvent(FileEvent e) {
        List<String> parts = new ArrayList<>(List.of("file-event", "ns=" + e.getNamespaceId(), "seq=" + e.getSeq(),
                e.getOp().toString(), quoted(e.getPath()), "file=" + e.getFileId(), "device=" + e.getDeviceId(),
                "vector=" + vector(e.getVector()), "size=" + e.getSize(), "at=" + Instant.ofEpochMilli(e.getAt())));
        if (e.getConflictOf() != null) {
            parts.add("conflictOf=" + e.getConflictOf());
        }
        if (e.getMergePending()) {
            parts.add("mergePending");
        }
        return String.join(" ", parts);
    }

    static String conflict(ConflictEvent c) {
        List<String> parts = new ArrayList<>(List.of("conflict", "ns=" + c.getNamespaceId(),
                "change=" + c.getBatchId() + "#" + c.getChangeIndex(), c.getResolution().toString(),
                "outcome=" + c.getOutcome(), c.getOp().toString(), quoted(c.getPath()), "file=" + c.getFileId(),
                "device=" + c.getDeviceId(), "incoming=" + vector(c.getIncomingVector()),
                "stored=" + vector(c.getStoredVector()), "base=" + vector(c.getBaseVector()),
                "result=" + vector(c.getResultVector())));
        if (c.getKeptFileId() != null) {
            parts.add("kept=" + c.getKeptFileId() + " " + quoted(c.getKeptPath()));
        }
        parts.add("seqs=" + c.getSeqs());
        parts.add("at=" + Instant.ofEpochMilli(c.getAt()));
        return String.join(" ", parts);
    }

    /** A vector as {@code {device:counter,...}}; {@code none} when absent. */
    private static String vector(List<VersionEntry> entries) {
        if (entries == null) {
            return "none";
        }
        return entries.stream().map(e -> e.getDeviceId() + ":" + e.getCounter())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String quoted(String path) {
        return '"' + path.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private TopicConsumer() {
    }
}
