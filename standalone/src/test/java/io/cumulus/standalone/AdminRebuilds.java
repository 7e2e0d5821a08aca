package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * The admin endpoints of rebuilds, as an operator's tool calls them: start the rebuild of a
 * projection ({@code POST /v1/admin/rebuilds}), follow it ({@code GET /v1/admin/rebuilds/{id}}) until
 * it has switched to its new generation; or the {@code cumulus admin rebuild} command that does so.
 */
final class AdminRebuilds {
    static final Duration REBUILD = Duration.ofSeconds(60);

    private final CumulusClient client;
    private final String adminToken;

    AdminRebuilds(CumulusClient client, String adminToken) {
        this.client = client;
        this.adminToken = adminToken;
    }

    /** Starts a rebuild and answers its id. */
    String start(String projection) {
        Response r = client.send("POST", "/v1/admin/rebuilds", adminToken, Map.of("projection", projection), Map.of());
        assertThat(r.status()).as("rebuild %s: %s", projection, r).isEqualTo(202);
        return r.json().get("id").asString();
    }

    JsonNode status(String id) {
        Response r = client.send("GET", "/v1/admin/rebuilds/" + id, adminToken, null, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** Waits until the rebuild has switched, failing at once if it was aborted or failed; answers its last status. */
    JsonNode awaitDone(String id) {
        JsonNode done = await("rebuild " + id).atMost(REBUILD).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode s = status(id);
            String phase = s.get("phase").asString();
            if (phase.equals("aborted") || phase.equals("failed")) {
                throw new AssertionError("rebuild " + id + " ended " + phase + ": " + s);
            }
            return s;
        }, s -> s.get("phase").asString().equals("done"));
        System.out.println("[rebuild] " + done);
        return done;
    }

    /**
     * Rebuilds a projection with {@code cumulus admin rebuild PROJECTION}, as an operator types it, the
     * server found by its data directory and port; answers what the command printed, once it has
     * exited 0 (switched).
     */
    static String onTheCommandLine(StandaloneServer server, String projection) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = AdminCommand.run(List.of("rebuild", projection, "--data-dir=" + server.dataDir(),
                        "--port=" + server.httpPort()), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.print("[admin rebuild " + projection + "] " + printed);
        assertThat(code).as("exit code of admin rebuild %s: %s%s", projection, printed, err.toString(StandardCharsets.UTF_8))
                .isZero();
        return printed;
    }

    /** Rebuilds a projection and waits until it has switched. */
    JsonNode rebuild(String projection) {
        return awaitDone(start(projection));
    }
}
