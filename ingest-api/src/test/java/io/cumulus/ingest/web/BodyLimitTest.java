package io.cumulus.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPOutputStream;

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

    @Test
    void aGzippedBodyIsReadInflated() throws Exception {
        byte[] body = "{\"a\": 1}".repeat(100).getBytes();

        assertThat(new BodyLimit(4096).readGzip(new ByteArrayInputStream(gzip(body)))).isEqualTo(body);
    }

    @Test
    void aGzippedBodyThatInflatesPastTheLimitIsRefusedWhileInflating() throws Exception {
        // given 64 MiB of zeros, which gzip makes about 64 KiB
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);

        // then inflating stops with a 413 at the limit, not at 64 MiB
        assertThatThrownBy(() -> new BodyLimit(1024 * 1024).readGzip(new ByteArrayInputStream(bomb)))
                .isInstanceOf(BodyTooLargeException.class);
    }

    @Test
    void aBodyThatIsNotGzipIsMalformed() {
        assertThatThrownBy(() -> new BodyLimit(4096).readGzip(new ByteArrayInputStream("{}".getBytes())))
                .isInstanceOfSatisfying(MalformedEncodingException.class, e -> assertThat(e.status().value()).isEqualTo(400));
    }

    @Test
    void aTruncatedGzipBodyIsMalformed() throws Exception {
        byte[] whole = gzip("hello hello hello".getBytes());
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 6);

        assertThatThrownBy(() -> new BodyLimit(4096).readGzip(new ByteArrayInputStream(cut)))
                .isInstanceOf(MalformedEncodingException.class);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
