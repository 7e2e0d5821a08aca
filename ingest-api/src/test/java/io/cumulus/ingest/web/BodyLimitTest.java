package io.cumulus.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

class BodyLimitTest {

    @Test
    void aBodyUpToTheLimitIsReadWhole() throws Exception {
        byte[] body = new byte[1000];
        assertThat(new BodyLimit(1000).read(new ByteArrayInputStream(body))).hasSize(1000);
    }

    @Test
    void aBodyWithoutLengthIsCutOffAsSoonAsItPassesTheLimit() {
        // given an endless stream, like a chunked body that never ends
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };

        // then reading stops with a 413 problem instead of exhausting memory
        assertThatThrownBy(() -> new BodyLimit(4096).read(endless))
                .isInstanceOfSatisfying(BodyTooLargeException.class, e -> assertThat(e.status().value()).isEqualTo(413));
    }
}
