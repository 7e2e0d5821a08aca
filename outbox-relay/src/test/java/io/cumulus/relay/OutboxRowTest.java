package io.cumulus.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** An outbox row as Debezium hands it over, with or without the correlation id column. */
class OutboxRowTest {
    private static final String NS = "4f6c2a34-1b5e-4c1e-9a51-0d8f3d8c2b11";

    @Test
    void aRowsCorrelationIdIsRelayedWithIt() {
        OutboxRelay.OutboxRow row = OutboxRelay.outboxRow(inserted(true, "req-42")).orElseThrow();
        assertThat(row.namespaceId()).isEqualTo(NS);
        assertThat(row.id()).isEqualTo(7);
        assertThat(row.payload()).containsExactly(1, 2, 3);
        assertThat(row.correlationId()).hasValue("req-42");
    }

    @Test
    void aRowWithoutOneOrFromBeforeTheColumnHasNone() {
        assertThat(OutboxRelay.outboxRow(inserted(true, null)).orElseThrow().correlationId()).isEmpty();
        assertThat(OutboxRelay.outboxRow(inserted(false, null)).orElseThrow().correlationId()).isEmpty();
        assertThat(OutboxRelay.outboxRow(inserted(true, "not a valid id")).orElseThrow().correlationId())
                .as("never published as it is").isEqualTo(Optional.empty());
    }

    private static SourceRecord inserted(boolean withColumn, String correlationId) {
        SchemaBuilder row = SchemaBuilder.struct().name("outbox")
                .field("id", Schema.INT64_SCHEMA)
                .field("namespace_id", Schema.STRING_SCHEMA)
                .field("payload", Schema.BYTES_SCHEMA);
        if (withColumn) {
            row.field("correlation_id", Schema.OPTIONAL_STRING_SCHEMA);
        }
        Schema rowSchema = row.build();
        Schema envelope = SchemaBuilder.struct().name("envelope").field("op", Schema.STRING_SCHEMA)
                .field("after", rowSchema).build();
        Struct after = new Struct(rowSchema).put("id", 7L).put("namespace_id", NS)
                .put("payload", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        if (withColumn) {
            after.put("correlation_id", correlationId);
        }
        return new SourceRecord(Map.of(), Map.of(), "cumulus-relay.ingest.outbox", null, envelope,
                new Struct(envelope).put("op", "c").put("after", after));
    }
}
