package io.cumulus.ingest.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;

import io.cumulus.sync.hash.Sha256;

/**
 * The hash of an audit entry: SHA-256 over an unambiguous encoding of every field and the previous
 * entry's hash, so that no two different entries (or an entry moved to another account or place) share
 * an encoding.
 *
 * <h2>Encoding (version 1)</h2>
 * The tag {@code cumulus-audit-v1}, then big-endian: the account id (16 bytes), seq (8), {@code at} as
 * epoch seconds (8) and nanoseconds (4, always whole microseconds), the action, a presence byte and the
 * actor device id (16 bytes when present), the number of details (4) and each key and value in key
 * order, then the previous hash (32). Every string is its UTF-8 length (4) and bytes.
 */
public final class AuditHash {
    /** The "previous hash" of an account's first entry. */
    static final byte[] GENESIS = new byte[32];
    private static final byte[] TAG = "cumulus-audit-v1".getBytes(StandardCharsets.UTF_8);

    private AuditHash() {
    }

    static byte[] of(UUID accountId, long seq, Instant at, String action, Optional<UUID> actorDevice,
                     SortedMap<String, String> details, byte[] prevHash) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(TAG);
            uuid(out, accountId);
            out.writeLong(seq);
            out.writeLong(at.getEpochSecond());
            out.writeInt(at.getNano());
            string(out, action);
            out.writeBoolean(actorDevice.isPresent());
            if (actorDevice.isPresent()) {
                uuid(out, actorDevice.get());
            }
            out.writeInt(details.size());
            for (Map.Entry<String, String> detail : details.entrySet()) {
                string(out, detail.getKey());
                string(out, detail.getValue());
            }
            out.writeInt(prevHash.length);
            out.write(prevHash);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return Sha256.newDigest().digest(bytes.toByteArray());
    }

    private static void uuid(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
