package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * The admin endpoints of rebuilds, as an operator's tool calls them: start the rebuild of a
 * projection ({@code POST /v1/admin/rebuilds}), follow it ({@code GET /v1/admin/rebuilds/{id}}) until
 * it has switched to its new generation.
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

    /** Rebuilds a projection and waits until it has switched. */
    JsonNode rebuild(String projection) {
        return awaitDone(start(projection));
    }
}
