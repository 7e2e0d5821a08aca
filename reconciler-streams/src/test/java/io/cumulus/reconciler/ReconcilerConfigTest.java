package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ReconcilerConfigTest {

    @Test
    void whatTheReconcilerWritesIsCompressedWithZstd() {
        var properties = ReconcilerConfig.of("127.0.0.1:9092", Path.of("state")).streamsProperties();

        assertThat(properties.get(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG))).isEqualTo("zstd");
    }
}
