package io.cumulus.ingest.photos;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.sync.id.FileId;

/**
 * Where a timeline page ends: the last photo's {@code (taken_at, file_id)}, the timeline's sort key.
 * The next page is every photo strictly after it in that order, so a photo inserted meanwhile lands
 * on one side of the boundary or the other and no photo is repeated or skipped. Opaque to clients:
 * base64url of {@code <epoch microseconds>:<file id>} (PostgreSQL keeps microseconds).
 */
public record TimelineCursor(Instant takenAt, String fileId) {

    public TimelineCursor {
        takenAt = truncate(takenAt);
    }

    public String encode() {
        long micros = Math.addExact(Math.multiplyExact(takenAt.getEpochSecond(), 1_000_000L), takenAt.getNano() / 1_000);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + fileId).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidRequestException when the text is not a cursor this API made */
    /** The range of a cursor's time: years 0 to 100,000, well inside PostgreSQL's timestamps. */
    private static final long EARLIEST_MICROS = -62_167_219_200_000_000L;
    private static final long LATEST_MICROS = 3_093_527_980_800_000_000L;

    public static TimelineCursor decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            if (colon < 1) {
                throw invalid();
            }
            long micros = Long.parseLong(plain.substring(0, colon));
            if (micros < EARLIEST_MICROS || micros > LATEST_MICROS) {
                throw invalid(); // no photo is dated there, and PostgreSQL's timestamps end before
            }
            String fileId = plain.substring(colon + 1);
            if (!FileId.isValid(fileId)) {
                throw invalid();
            }
            return new TimelineCursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L), fileId);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw invalid();
        }
    }

    private static Instant truncate(Instant t) {
        return t.minusNanos(t.getNano() % 1_000);
    }

    private static InvalidRequestException invalid() {
        return new InvalidRequestException("invalid-cursor", "Invalid cursor",
                "before must be a cursor from an earlier page's nextCursor").with("parameter", "before");
    }
}
