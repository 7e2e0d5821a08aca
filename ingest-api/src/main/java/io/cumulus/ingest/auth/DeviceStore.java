package io.cumulus.ingest.auth;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/** Devices and their token hashes in {@code ingest.devices}. */
public final class DeviceStore {
    private final IngestDatabase db;

    /** One device of an account, as its owner sees it listed. */
    public record Device(UUID id, String name, Instant createdAt, boolean revoked) {
    }

    public DeviceStore(IngestDatabase db) {
        this.db = db;
    }

    public UUID register(UUID accountId, String name, DeviceToken token) {
        UUID id = UUID.randomUUID();
        db.jdbc().sql("INSERT INTO ingest.devices (id, account_id, name, token_sha256) VALUES (?, ?, ?, ?)")
                .params(id, accountId, name, token.sha256())
                .update();
        return id;
    }

    /** The session of the device holding this token, unless the device is revoked or unknown. */
    public Optional<DeviceSession> authenticate(String token) {
        return db.jdbc().sql("SELECT id, account_id, name FROM ingest.devices WHERE token_sha256 = ? AND revoked_at IS NULL")
                .param(DeviceToken.sha256Of(token))
                .query((rs, i) -> new DeviceSession(rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class),
                        rs.getString("name")))
                .optional();
    }

    public List<Device> devicesOf(UUID accountId) {
        return db.jdbc().sql("SELECT id, name, created_at, revoked_at FROM ingest.devices WHERE account_id = ? ORDER BY created_at, id")
                .param(accountId)
                .query((rs, i) -> new Device(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getObject("revoked_at") != null))
                .list();
    }

    /** What a revocation did. */
    public enum Revocation { REVOKED, ALREADY_REVOKED, NOT_FOUND }

    /** Revokes the account's device; from then on its token authenticates nothing. */
    public Revocation revoke(UUID accountId, UUID deviceId) {
        int changed = db.jdbc().sql("UPDATE ingest.devices SET revoked_at = now() WHERE id = ? AND account_id = ? AND revoked_at IS NULL")
                .params(deviceId, accountId)
                .update();
        if (changed > 0) {
            return Revocation.REVOKED;
        }
        boolean exists = db.jdbc().sql("SELECT count(*) FROM ingest.devices WHERE id = ? AND account_id = ?")
                .params(deviceId, accountId)
                .query(Long.class).single() > 0;
        return exists ? Revocation.ALREADY_REVOKED : Revocation.NOT_FOUND;
    }
}
