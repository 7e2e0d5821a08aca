package io.cumulus.ingest.merge;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.auth.DeviceToken;

/**
 * The device a merge is submitted as: "Cumulus", one per account (a batch's device must be a row of
 * {@code ingest.devices}, which belongs to one account), with an id derived from the account's so
 * that every worker and every restart uses the same one and its counter in version vectors. It acts
 * for the owner of the namespace, like any device of theirs. It never gets a token: the stored hash
 * is of random bytes nobody kept, so no request can authenticate as it.
 */
final class MergeDevice {
    static final String NAME = "Cumulus";

    private final IngestDatabase db;
    private final SecureRandom random = new SecureRandom();

    MergeDevice(IngestDatabase db) {
        this.db = db;
    }

    static UUID idFor(UUID accountId) {
        return UUID.nameUUIDFromBytes(("cumulus:merge:" + accountId).getBytes(StandardCharsets.UTF_8));
    }

    /** The merge device's session for the namespace's owner, its row created on first use; empty for an unknown namespace. */
    Optional<DeviceSession> sessionFor(UUID namespaceId) {
        Optional<UUID> owner = db.jdbc().sql("SELECT owner_account FROM ingest.namespaces WHERE id = ?")
                .param(namespaceId)
                .query(UUID.class).optional();
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        UUID deviceId = idFor(owner.get());
        db.jdbc().sql("""
                        INSERT INTO ingest.devices (id, account_id, name, token_sha256) VALUES (?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(deviceId, owner.get(), NAME, DeviceToken.generate(random).sha256())
                .update();
        return Optional.of(new DeviceSession(deviceId, owner.get(), NAME));
    }
}
