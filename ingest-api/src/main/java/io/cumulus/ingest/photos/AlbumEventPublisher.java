package io.cumulus.ingest.photos;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.resilience.StoreUnavailableException;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.Correlation;

/**
 * Publishes album events to their topic, keyed by namespace id so one namespace's events keep their
 * order, with an idempotent producer that waits for every in-sync replica ({@code acks=all}): once
 * {@link #publish} returns, the event is durable and its (partition, offset) is its place in the
 * namespace's history. The producer is made on first use, so an API without Kafka configured starts
 * and answers everything else; an album request then gets a 503, as it does while Kafka is down.
 */
final class AlbumEventPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlbumEventPublisher.class);
    private static final long SEND_TIMEOUT_MS = 10_000;

    private final String bootstrapServers;
    private final String topic;
    private final AvroSerde<AlbumEvent> serde = AvroSerde.albumEvents();
    private KafkaProducer<String, byte[]> producer;

    /** Where an event went: its partition and offset. */
    record Published(int partition, long offset) {
    }

    AlbumEventPublisher(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    String topic() {
        return topic;
    }

    Published publish(AlbumEvent event) {
        try {
            // The request's correlation id goes with the event, for the album projector's log lines about it.
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.getNamespaceId(),
                    serde.encode(event), Correlation.addTo(new RecordHeaders(), Correlation.current()));
            RecordMetadata sent = producer().send(record).get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("album event published kind={} namespace={} album={} event={} partition={} offset={}", event.getKind(),
                    event.getNamespaceId(), event.getAlbumId(), event.getEventId(), sent.partition(), sent.offset());
            return new Published(sent.partition(), sent.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw unavailable(e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (bootstrapServers.isBlank()) {
            throw new StoreUnavailableException("kafka", "album events need cumulus.kafka.bootstrap-servers", null);
        }
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 0,
                    // A request waits for the send: a broker that is away must become a 503, not a hang.
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT_MS),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private static StoreUnavailableException unavailable(Throwable cause) {
        return new StoreUnavailableException("kafka", "cannot publish the album event: " + cause, cause);
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
