package io.cumulus.ingest.audit;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One entry of an account's audit chain as stored: its place ({@code seq}, 1 for the first), when
 * (to the microsecond, as PostgreSQL keeps it), what, by which device (none for a password sign-in
 * or the admin), the details, the previous entry's hash ({@link AuditHash#GENESIS} for the first) and
 * its own.
 */
public record AuditEntry(UUID accountId, long seq, Instant at, String action, Optional<UUID> actorDevice,
                         SortedMap<String, String> details, byte[] prevHash, byte[] hash) {

    public AuditEntry {
        details = new TreeMap<>(details);
        prevHash = prevHash.clone();
        hash = hash.clone();
    }

    /** Whether {@link #hash} is the hash of this entry's content and {@link #prevHash}. */
    public boolean hashMatchesContent() {
        return Arrays.equals(hash, AuditHash.of(accountId, seq, at, action, actorDevice, details, prevHash));
    }

    public String hashHex() {
        return HexFormat.of().formatHex(hash);
    }

    @Override
    public byte[] prevHash() {
        return prevHash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
