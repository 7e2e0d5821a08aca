package io.cumulus.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The machine's own ceilings, measured beside the pipeline so that its rate can be read against
 * them: how many small fsyncs per second the disk under the server's data directory takes (every
 * accepted batch is fsynced by PostgreSQL's commit and by the broker's appends), and how many
 * records per second a transactional producer gets from the broker the server uses (the relay and
 * the reconciler write through such producers). Both run while the server is idle.
 *
 * @param fsyncsPerSecond      {@value #FSYNC_BYTES} bytes appended, then {@code FileChannel.force(false)}, in a loop
 * @param recordsPerSecond     small records (acks=all, idempotent, linger.ms=1) to a scratch topic of one partition,
 *                             a transaction committed every {@value #RECORDS_PER_TRANSACTION} records
 * @param transactionsPerSecond the transactions committed per second in the same loop
 */
record MachineCeilings(double fsyncsPerSecond, double recordsPerSecond, double transactionsPerSecond) {
    static final int FSYNC_BYTES = 256;
    static final int RECORD_BYTES = 100;
    static final int RECORDS_PER_TRANSACTION = 100;
    private static final long FSYNC_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PRODUCER_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** Measures both ceilings, printing each as it is known. */
    static MachineCeilings measure(Path dataDir, String bootstrapServers) throws Exception {
        System.out.println("machine ceilings, measured before the steps while the server is idle:");
        double fsyncs = fsyncsPerSecond(dataDir);
        System.out.printf("  small fsyncs          %,10.0f /s  (%d B appended + FileChannel.force(false), %d s, in %s)%n",
                fsyncs, FSYNC_BYTES, TimeUnit.NANOSECONDS.toSeconds(FSYNC_NANOS), dataDir);
        ProducerRate producer = transactionalProducer(bootstrapServers);
        System.out.printf("  transactional records %,10.0f /s  (%,.0f transactions/s; %d B records, %d per transaction,"
                + " acks=all, idempotent, %d s, broker %s)%n", producer.records(), producer.transactions(), RECORD_BYTES,
                RECORDS_PER_TRANSACTION, TimeUnit.NANOSECONDS.toSeconds(PRODUCER_NANOS), bootstrapServers);
        return new MachineCeilings(fsyncs, producer.records(), producer.transactions());
    }

    private record ProducerRate(double records, double transactions) {
    }

    private static double fsyncsPerSecond(Path dir) throws IOException {
        Path file = dir.resolve("fsync-ceiling-" + UUID.randomUUID());
        ByteBuffer bytes = ByteBuffer.allocate(FSYNC_BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long start = System.nanoTime();
            long now = start;
            int fsyncs = 0;
            while (now - start < FSYNC_NANOS) {
                bytes.clear();
                channel.write(bytes);
                channel.force(false);
                fsyncs++;
                now = System.nanoTime();
            }
            return fsyncs / ((now - start) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Records per second and transactions per second of one transactional producer; the scratch topic is deleted after. */
    private static ProducerRate transactionalProducer(String bootstrapServers) throws InterruptedException, ExecutionException {
        String topic = "bench-ceiling-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            // One partition; the broker's default replication factor (3 in the scaled-out configuration).
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 1), // as the relay's and the reconciler's producers
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                byte[] value = new byte[RECORD_BYTES];
                long start = System.nanoTime();
                long now = start;
                int transactions = 0;
                while (now - start < PRODUCER_NANOS) {
                    producer.beginTransaction();
                    for (int i = 0; i < RECORDS_PER_TRANSACTION; i++) {
                        producer.send(new ProducerRecord<>(topic, value));
                    }
                    producer.commitTransaction();
                    transactions++;
                    now = System.nanoTime();
                }
                double seconds = (now - start) / 1e9;
                return new ProducerRate(transactions * RECORDS_PER_TRANSACTION / seconds, transactions / seconds);
            } finally {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
    }
}
