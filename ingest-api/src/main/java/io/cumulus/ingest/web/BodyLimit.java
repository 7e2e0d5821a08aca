package io.cumulus.ingest.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The most bytes an endpoint reads from a request body. The Content-Length is checked before
 * reading anything, and the limit is enforced again while reading, because a chunked body has
 * no length and a client may lie about it.
 *
 * <p>A body sent with {@code Content-Encoding: gzip} is inflated while it is read, and the limit
 * holds for the inflated bytes too: a small body that inflates past it (a zip bomb) is refused
 * with the same 413 after at most the limit's bytes were inflated, and changes nothing.
 */
public record BodyLimit(int maxBytes) {

    public BodyLimit {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a body limit must be positive, was " + maxBytes);
        }
    }

    public static BodyLimit ofKiB(int kib) {
        return new BodyLimit(kib * 1024);
    }

    public static BodyLimit ofMiB(int mib) {
        return new BodyLimit(mib * 1024 * 1024);
    }

    /** Throws {@link BodyTooLargeException} when the declared length is over the limit. */
    public void checkDeclaredLength(HttpServletRequest request) {
        if (request.getContentLengthLong() > maxBytes) {
            throw new BodyTooLargeException(maxBytes);
        }
    }

    /** The whole body, at most {@link #maxBytes()} bytes of it (inflated, when it came gzipped). */
    public byte[] read(HttpServletRequest request) {
        checkDeclaredLength(request);
        String encoding = request.getHeader("Content-Encoding");
        try {
            if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
                return read(request.getInputStream());
            }
            if (encoding.trim().toLowerCase(Locale.ROOT).equals("gzip")) {
                return readGzip(request.getInputStream());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
        throw new UnsupportedContentEncodingException(encoding);
    }

    /** Inflates a gzip stream, failing as soon as the inflated bytes pass the limit. */
    public byte[] readGzip(InputStream compressed) throws IOException {
        // The compressed bytes can be no more than the inflated ones for any body worth sending, so the
        // limit bounds them as well.
        InputStream bounded = new LimitedInput(compressed, maxBytes);
        try (GZIPInputStream in = new GZIPInputStream(bounded, 16 * 1024)) {
            return read(in);
        } catch (ZipException | java.io.EOFException e) {
            throw new MalformedEncodingException("the request body is not valid gzip: " + e.getMessage());
        }
    }

    /** The compressed side of a gzip body, cut off past the limit. */
    private static final class LimitedInput extends java.io.FilterInputStream {
        private final long max;
        private long read;

        LimitedInput(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(Math.max(0, n));
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > max) {
                throw new BodyTooLargeException(max);
            }
        }
    }

    /** Reads the stream to its end, failing as soon as it passes the limit. */
    public byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
