package io.cumulus.notifier;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import javax.sql.DataSource;

import io.cumulus.sync.hash.Sha256;

/** Accounts, namespaces and devices written straight into ingest-api's tables, as ingest-api would. */
final class IngestRows {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final DataSource db;

    IngestRows(DataSource db) {
        this.db = db;
    }

    record Account(UUID id, UUID home) {
    }

    record Device(UUID id, UUID account, String token) {
    }

    Account anAccount() {
        UUID id = UUID.randomUUID();
        UUID home = UUID.randomUUID();
        update("INSERT INTO ingest.accounts (id, username, password_hash, home_namespace) VALUES (?, ?, 'unused', ?)",
                id, "user-" + id, home);
        update("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?, 'home', 'Home', ?)", home, id);
        update("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'owner')", home, id);
        return new Account(id, home);
    }

    UUID aSharedNamespace(Account owner, Account... members) {
        UUID ns = UUID.randomUUID();
        update("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?, 'shared', 'Shared', ?)", ns,
                owner.id());
        update("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'owner')", ns,
                owner.id());
        for (Account m : members) {
            update("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'editor')", ns,
                    m.id());
        }
        return ns;
    }

    Device aDevice(Account account) {
        return device(account, null);
    }

    Device aRevokedDevice(Account account) {
        return device(account, Timestamp.from(Instant.parse("2025-01-01T00:00:00Z")));
    }

    /** Ends the account's membership of the namespace, as leaving or being removed from a share does. */
    void removeMember(UUID namespace, Account member) {
        update("DELETE FROM ingest.namespace_members WHERE namespace_id = ? AND account_id = ?", namespace, member.id());
    }

    /** Makes the account a member of the namespace, as accepting an invitation does. */
    void addMember(UUID namespace, Account member) {
        update("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'editor')", namespace,
                member.id());
    }

    /** Revokes the device as ingest-api's DELETE /v1/devices/{id} does. */
    void revoke(Device device) {
        update("UPDATE ingest.devices SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", device.id());
    }

    private Device device(Account account, Timestamp revokedAt) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        UUID id = UUID.randomUUID();
        update("INSERT INTO ingest.devices (id, account_id, name, token_sha256, revoked_at) VALUES (?, ?, ?, ?, ?)", id,
                account.id(), "Device " + id, Sha256.hex(token.getBytes(StandardCharsets.UTF_8)), revokedAt);
        return new Device(id, account.id(), token);
    }

    private void update(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
