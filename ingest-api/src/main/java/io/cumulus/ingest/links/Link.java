package io.cumulus.ingest.links;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * One row of {@code ingest.links}: what a link shows ({@link Kind} and target within its namespace),
 * who made it, and whether it still opens. {@code passwordHash} is empty for a link without password.
 */
record Link(UUID id, UUID accountId, UUID namespaceId, Kind kind, String target, Optional<Instant> expiresAt,
            Optional<String> passwordHash, Instant createdAt, Optional<Instant> revokedAt) {

    /** What a link points at: a file (by id, so it follows renames), a folder (a path prefix), an album (by id). */
    enum Kind {
        FILE, FOLDER, ALBUM;

        String dbValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind fromDb(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** As the maker's listing shows it. */
    String state(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return expiresAt.filter(at -> !at.isAfter(now)).isPresent() ? "expired" : "active";
    }
}
