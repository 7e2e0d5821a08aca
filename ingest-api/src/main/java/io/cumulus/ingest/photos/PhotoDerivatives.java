package io.cumulus.ingest.photos;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;

/**
 * Answers with a photo's thumbnail or preview: an immutable JPEG named by its chunk id (its ETag), so
 * a client that has it gets a {@code 304}. The caller has decided the photo may be seen (its own
 * library, or an album it is a member of); this only reads the chunk store.
 */
final class PhotoDerivatives {
    private static final Logger log = LoggerFactory.getLogger(PhotoDerivatives.class);
    private static final MediaType JPEG = MediaType.IMAGE_JPEG;
    /** A derivative never changes under its chunk id, but only those the photo is visible to may see it. */
    private static final CacheControl IMMUTABLE = CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable();

    private final BlobStore blobs;

    PhotoDerivatives(BlobStore blobs) {
        this.blobs = blobs;
    }

    ResponseEntity<byte[]> serve(Photo photo, Photo.Derivative kind, String ifNoneMatch) throws IOException {
        String fileId = photo.fileId();
        String chunk = photo.derivative(kind).orElseThrow(() -> new DerivativeNotFoundException(fileId, kind.slug(),
                "ready".equals(photo.state()) ? "not made yet" : "the photo cannot be read (" + photo.reason() + ")"));
        String etag = "\"" + chunk + "\"";
        if (matches(ifNoneMatch, etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(IMMUTABLE).build();
        }
        Optional<InputStream> stored = ChunkId.isValid(chunk) ? blobs.open(new ChunkId(chunk)) : Optional.empty();
        if (stored.isEmpty()) {
            log.warn("photo derivative missing from the chunk store file={} kind={} chunk={}", fileId, kind.slug(), chunk);
            throw new DerivativeNotFoundException(fileId, kind.slug(), "not in the chunk store");
        }
        try (InputStream in = stored.get()) {
            return ResponseEntity.ok().contentType(JPEG).eTag(etag).cacheControl(IMMUTABLE).body(in.readAllBytes());
        }
    }

    /** Whether an If-None-Match header names this ETag (weakly compared, as RFC 9110 has it for GET) or is {@code *}. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
