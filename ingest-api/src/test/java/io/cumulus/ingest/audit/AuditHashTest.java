package io.cumulus.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The entry hash covers every field unambiguously, and strings are stored as they are hashed. */
class AuditHashTest {
    private static final UUID ACCOUNT = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID DEVICE = UUID.fromString("00000000-0000-0000-0000-000000000002");
    private static final Instant AT = Instant.parse("2026-12-05T15:40:12.123456Z");

    private static SortedMap<String, String> details(String... keysAndValues) {
        SortedMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static byte[] hash(UUID account, long seq, Instant at, String action, Optional<UUID> device,
                               SortedMap<String, String> details, byte[] prev) {
        return AuditHash.of(account, seq, at, action, device, details, prev);
    }

    @Test
    void changingAnyFieldChangesTheHash() {
        byte[] base = hash(ACCOUNT, 1, AT, "files-deleted", Optional.of(DEVICE), details("count", "1"), AuditHash.GENESIS);

        assertThat(hash(ACCOUNT, 1, AT, "files-deleted", Optional.of(DEVICE), details("count", "1"), AuditHash.GENESIS))
                .isEqualTo(base);
        assertThat(hash(DEVICE, 1, AT, "files-deleted", Optional.of(DEVICE), details("count", "1"), AuditHash.GENESIS))
                .isNotEqualTo(base);
        assertThat(hash(ACCOUNT, 2, AT, "files-deleted", Optional.of(DEVICE), details("count", "1"), AuditHash.GENESIS))
                .isNotEqualTo(base);
        assertThat(hash(ACCOUNT, 1, AT.plusNanos(1000), "files-deleted", Optional.of(DEVICE), details("count", "1"),
                AuditHash.GENESIS)).isNotEqualTo(base);
        assertThat(hash(ACCOUNT, 1, AT, "file-restored", Optional.of(DEVICE), details("count", "1"), AuditHash.GENESIS))
                .isNotEqualTo(base);
        assertThat(hash(ACCOUNT, 1, AT, "files-deleted", Optional.empty(), details("count", "1"), AuditHash.GENESIS))
                .isNotEqualTo(base);
        assertThat(hash(ACCOUNT, 1, AT, "files-deleted", Optional.of(DEVICE), details("count", "2"), AuditHash.GENESIS))
                .isNotEqualTo(base);
        byte[] otherPrev = new byte[32];
        otherPrev[31] = 1;
        assertThat(hash(ACCOUNT, 1, AT, "files-deleted", Optional.of(DEVICE), details("count", "1"), otherPrev))
                .isNotEqualTo(base);
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        assertThat(hash(ACCOUNT, 1, AT, "a", Optional.empty(), details("bc", "d"), AuditHash.GENESIS))
                .isNotEqualTo(hash(ACCOUNT, 1, AT, "ab", Optional.empty(), details("c", "d"), AuditHash.GENESIS));
        assertThat(hash(ACCOUNT, 1, AT, "x", Optional.empty(), details("k", "v1", "k2", ""), AuditHash.GENESIS))
                .isNotEqualTo(hash(ACCOUNT, 1, AT, "x", Optional.empty(), details("k", "v1k2"), AuditHash.GENESIS));
    }

    @Test
    void stringsAreKeptAsPostgresqlGivesThemBack() {
        assertThat(PostgresAuditTrail.clean("a\u0000b")).isEqualTo("a\uFFFDb");
        assertThat(PostgresAuditTrail.clean("lone \uD800 surrogate")).isEqualTo("lone ? surrogate");
        assertThat(PostgresAuditTrail.clean("x".repeat(5000))).hasSize(PostgresAuditTrail.MAX_VALUE);
        assertThat(PostgresAuditTrail.clean("naïve ☃ 😀")).isEqualTo("naïve ☃ 😀");
    }
}
