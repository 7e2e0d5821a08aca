package io.cumulus.reconciler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

import io.cumulus.schemas.PipelineStages;

/**
 * Kafka Streams' own clients, with each transaction commit of the reconciler's producer timed into
 * {@link PipelineStages#RECONCILER_COMMIT}: the commit is when a batch's outputs become visible to
 * every read_committed reader, the projector and the notifier among them.
 */
final class TimedCommits implements KafkaClientSupplier {
    private final DefaultKafkaClientSupplier clients = new DefaultKafkaClientSupplier();

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return clients.getAdmin(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new TimedProducer(clients.getProducer(config));
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return clients.getConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return clients.getRestoreConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return clients.getGlobalConsumer(config);
    }

    /**
     * Passes everything through; times a commit from the flush that starts it (Kafka Streams flushes
     * the transaction's writes, adds the input offsets, then commits) to the end of
     * {@link #commitTransaction()}. Used by its stream thread alone.
     */
    private static final class TimedProducer implements Producer<byte[], byte[]> {
        private final Producer<byte[], byte[]> producer;
        private long flushedAt;

        TimedProducer(Producer<byte[], byte[]> producer) {
            this.producer = producer;
        }

        @Override
        public void commitTransaction() {
            long start = flushedAt != 0 ? flushedAt : System.nanoTime();
            producer.commitTransaction();
            flushedAt = 0;
            PipelineStages.sinceNanos(PipelineStages.RECONCILER_COMMIT, start);
        }

        @Override
        public void initTransactions() {
            producer.initTransactions();
        }

        @Override
        public void beginTransaction() {
            producer.beginTransaction();
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
            producer.sendOffsetsToTransaction(offsets, group);
        }

        @Override
        public void abortTransaction() {
            flushedAt = 0;
            producer.abortTransaction();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
            producer.registerMetricForSubscription(metric);
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
            producer.unregisterMetricFromSubscription(metric);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return producer.send(record);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            return producer.send(record, callback);
        }

        @Override
        public void flush() {
            if (flushedAt == 0) {
                flushedAt = System.nanoTime();
            }
            producer.flush();
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            return producer.partitionsFor(topic);
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return producer.metrics();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return producer.clientInstanceId(timeout);
        }

        @Override
        public void close() {
            producer.close();
        }

        @Override
        public void close(Duration timeout) {
            producer.close(timeout);
        }
    }
}
