package io.cumulus.ingest.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The most bytes an endpoint reads from a request body. The Content-Length is checked before
 * reading anything, and the limit is enforced again while reading, because a chunked body has
 * no length and a client may lie about it.
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

    /** The whole body, at most {@link #maxBytes()} bytes of it. */
    public byte[] read(HttpServletRequest request) {
        checkDeclaredLength(request);
        try {
            return read(request.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
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
