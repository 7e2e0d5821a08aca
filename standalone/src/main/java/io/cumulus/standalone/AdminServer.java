package io.cumulus.standalone;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running server an admin command talks to: its address on this machine and the admin token,
 * {@code --admin-token} or else the {@code admin-token} file the server wrote into its data directory.
 *
 * @param baseUrl {@code http://host:port}, without a trailing slash
 */
public record AdminServer(String baseUrl, String token) {

    /**
     * The server the settings name. Empty, with the reason printed to {@code err}, when there is no
     * token to give it: the server never ran with this data directory and none was given.
     *
     * @throws IOException when the token file exists but cannot be read
     */
    public static Optional<AdminServer> locate(StandaloneSettings settings, PrintStream err) throws IOException {
        String baseUrl = "http://" + settings.localHost() + ":" + settings.httpPort();
        if (settings.adminToken().isPresent()) {
            return Optional.of(new AdminServer(baseUrl, settings.adminToken().get()));
        }
        Path tokenFile = settings.dataDir().resolve("admin-token");
        if (!Files.isRegularFile(tokenFile)) {
            err.println("cumulus: no admin token at " + tokenFile + "; start the server first (./cumulus) with the same"
                    + " --data-dir, or give the server's --admin-token");
            return Optional.empty();
        }
        return Optional.of(new AdminServer(baseUrl, Files.readString(tokenFile).trim()));
    }

    /** What an admin command says when nothing answers on the server's port. */
    public static String notRunning(StandaloneSettings settings) {
        return "cumulus: no server answers on port " + settings.httpPort() + "; start it with ./cumulus";
    }
}
