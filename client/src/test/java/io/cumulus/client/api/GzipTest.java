package io.cumulus.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class GzipTest {

    @Test
    void whatIsCompressedInflatesToTheSameBytes() {
        byte[] json = "{\"chunkIds\":[\"aa\",\"bb\"]}".repeat(200).getBytes(StandardCharsets.UTF_8);

        byte[] gzipped = Gzip.compress(json);

        assertThat(gzipped.length).isLessThan(json.length / 10);
        assertThat(Gzip.inflate(gzipped)).isEqualTo(json);
    }

    @Test
    void anEmptyBodyStaysEmpty() {
        assertThat(Gzip.inflate(new byte[0])).isEmpty();
    }

    @Test
    void anAnswerThatIsNotGzipIsAnError() {
        assertThatThrownBy(() -> Gzip.inflate("{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(UncheckedIOException.class);
    }
}
