package io.cumulus.client.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip on the wire for the JSON the client exchanges with the server. The JDK's HttpClient neither
 * asks for compressed answers nor inflates them, so the client asks ({@code Accept-Encoding: gzip})
 * and {@link #DECODING} inflates what comes back compressed; request bodies past
 * {@link #WORTH_COMPRESSING} bytes are sent compressed, which the server inflates within its limits.
 */
final class Gzip {
    /** Below this a body's gzip header and dictionary-less start cost about what they save. */
    static final int WORTH_COMPRESSING = 1024;
    /** An answer that inflates past this is not one the server sends: refused rather than held in memory. */
    static final int MAX_INFLATED = 256 * 1024 * 1024;

    /** Response bodies as bytes, inflated when the server sent them with {@code Content-Encoding: gzip}. */
    static final HttpResponse.BodyHandler<byte[]> DECODING = info -> {
        boolean gzipped = info.headers().firstValue("Content-Encoding").map(String::trim).filter("gzip"::equalsIgnoreCase).isPresent();
        return gzipped
                ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), Gzip::inflate)
                : HttpResponse.BodySubscribers.ofByteArray();
    };

    private Gzip() {
    }

    static byte[] compress(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 16 * 1024)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot gzip into memory", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    static byte[] inflate(byte[] gzipped) {
        if (gzipped.length == 0) {
            return gzipped; // a HEAD answer, or a 204, carries the header without a body
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped), 16 * 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(gzipped.length * 4);
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > MAX_INFLATED) {
                    throw new UncheckedIOException(new IOException("the server's answer inflates past " + MAX_INFLATED + " bytes"));
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("the server's gzipped answer does not inflate", e);
        }
    }
}
