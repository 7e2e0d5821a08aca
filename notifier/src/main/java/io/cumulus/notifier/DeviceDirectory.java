package io.cumulus.notifier;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.cumulus.sync.hash.Sha256;

/**
 * Reads who a device token belongs to from ingest-api's schema ({@code ingest.devices},
 * {@code ingest.namespace_members}); the notifier only reads it. A token is known by its SHA-256,
 * never stored or compared in clear, and a revoked device is not found.
 */
public final class DeviceDirectory {
    private final JdbcClient jdbc;

    public DeviceDirectory(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
    }

    /** The device holding this token with its account's namespaces, or empty for an unknown or revoked token. */
    public Optional<ConnectedDevice> connect(String token) {
        String tokenSha256 = Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
        List<Ids> found = jdbc.sql("SELECT id, account_id FROM ingest.devices"
                        + " WHERE token_sha256 = ? AND revoked_at IS NULL")
                .param(tokenSha256)
                .query((rs, n) -> new Ids(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .list();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Ids device = found.get(0);
        List<String> namespaces = jdbc.sql("SELECT namespace_id FROM ingest.namespace_members WHERE account_id = ?")
                .param(device.account())
                .query((rs, n) -> rs.getObject(1, UUID.class).toString())
                .list();
        return Optional.of(new ConnectedDevice(device.device().toString(), device.account().toString(),
                new HashSet<>(namespaces)));
    }

    private record Ids(UUID device, UUID account) {
    }
}
