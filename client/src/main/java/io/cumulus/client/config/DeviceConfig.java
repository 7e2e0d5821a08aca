package io.cumulus.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * This device's registration: the server, the account and the device's bearer token. Kept in
 * {@code device.json} in the per-user config directory, readable by its owner only.
 */
public record DeviceConfig(URI server, String username, String accountId, String deviceId, String deviceName,
                           String token, String homeNamespace) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String FILE = "device.json";

    /**
     * The config directory: {@code --config-dir}, else {@code $CUMULUS_CONFIG_DIR}, else
     * {@code $XDG_CONFIG_HOME/cumulus}, else {@code ~/.config/cumulus}.
     */
    public static Path directory(Optional<Path> option, Map<String, String> env) {
        if (option.isPresent()) {
            return option.get();
        }
        String dir = env.get("CUMULUS_CONFIG_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "cumulus");
        }
        return Path.of(System.getProperty("user.home"), ".config", "cumulus");
    }

    public static Optional<DeviceConfig> load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            return Optional.of(new DeviceConfig(URI.create(n.get("server").asString()), n.get("username").asString(),
                    n.get("accountId").asString(), n.get("deviceId").asString(), n.get("deviceName").asString(),
                    n.get("token").asString(), n.get("homeNamespace").asString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "); run `cumulus login` again", e);
        }
    }

    /** Writes the file atomically, readable and writable by its owner only from the moment it exists. */
    public void save(Path dir) {
        Map<String, String> n = new LinkedHashMap<>();
        n.put("server", server.toString());
        n.put("username", username);
        n.put("accountId", accountId);
        n.put("deviceId", deviceId);
        n.put("deviceName", deviceName);
        n.put("token", token);
        n.put("homeNamespace", homeNamespace);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }
}
