package io.cumulus.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Whatever goes wrong, a client gets an RFC 9457 problem: never an HTML page, never a stack trace. */
class ProblemsIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static void assertProblem(Response r, int status, String slug) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        assertThat(r.problem()).isEqualTo(slug);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("<html").doesNotContain("\tat ");
    }

    @Test
    void springsOwnRefusalsAreProblemsToo() {
        Device device = client.newAccountWithDevice("lost", "Laptop");

        assertProblem(client.get(device, "/v1/no-such-thing"), 404, "not-found");
        assertProblem(client.send("GET", "/nowhere", null, null, Map.of("Accept", "text/html")), 404, "not-found");
        Response method = client.send("PATCH", "/v1/devices", device.token(), "{}", Map.of());
        assertProblem(method, 405, "method-not-allowed");
        assertThat(method.header("Allow")).isPresent();
        assertProblem(client.send("POST", "/v1/login", null, "username=x",
                Map.of("Content-Type", "application/x-www-form-urlencoded")), 415, "unsupported-media-type");
        assertProblem(client.send("POST", "/v1/login", null, "{\"username\": \"x\", \"password\": ", Map.of()), 400, "malformed-json");
        assertProblem(client.send("POST", "/v1/login", null, "{\"username\": {\"a\": 1}, \"password\": \"x\"}", Map.of()), 400,
                "invalid-request");
        assertProblem(client.send("POST", "/v1/login", null, "", Map.of("Content-Type", "application/json")), 400, "malformed-json");
        assertProblem(client.send("POST", "/v1/login", null, "null", Map.of()), 400, "invalid-request");
        assertProblem(client.send("POST", "/v1/login", null, "[]", Map.of()), 400, "invalid-request");
    }

    @Test
    void requestsTomcatRefusesBeforeAnyServletAreProblemsToo() throws Exception {
        Device device = client.newAccountWithDevice("raw", "Laptop");
        String auth = "\r\nAuthorization: Bearer " + device.token();
        Map<String, Integer> refused = new java.util.LinkedHashMap<>();
        refused.put("GET /v1/files/a%2Fb HTTP/1.1" + auth, 400);
        refused.put("GET /v1/files/a%00b HTTP/1.1" + auth, 400);
        refused.put("GET /v1/files/%zz HTTP/1.1" + auth, 400);
        refused.put("GET /v1/files/%2 HTTP/1.1" + auth, 400);
        refused.put("G@T /v1/devices HTTP/1.1" + auth, 400);
        refused.put("GET /v1/devices HTTP/1.1" + auth + "\r\nX-Padding: " + "x".repeat(64 * 1024), 400);
        refused.put("GET /v1/no-such-thing HTTP/1.1" + auth, 404);
        refused.put("BREW /v1/devices HTTP/1.1" + auth, 405);
        refused.put("PATCH /v1/devices HTTP/1.1" + auth, 405);
        for (Map.Entry<String, Integer> request : refused.entrySet()) {
            String line = request.getKey().substring(0, Math.min(60, request.getKey().indexOf('\r')));

            RawHttp.Answer answer = RawHttp.exchange(api.port(), request.getKey(), new byte[0]);

            assertThat(answer.status()).as(line + ": " + answer).isEqualTo(request.getValue());
            assertThat(answer.header("Content-Type")).as(line + ": " + answer).startsWith("application/problem+json");
            JsonNode problem = JSON.readTree(answer.body());
            assertThat(problem.get("type").asString()).as(line + ": " + answer).startsWith("/problems/");
            assertThat(problem.get("status").asInt()).as(line).isEqualTo(request.getValue());
            assertThat(answer.body()).as(line).doesNotContain("<html").doesNotContain("Exception");
        }
    }

    @Test
    void bodiesTooLargeOrOfTheWrongTypeAreProblemsWhenSentByHand() throws Exception {
        Device device = client.newAccountWithDevice("raw-bodies", "Laptop");
        byte[] tooLarge = new byte[5 * 1024 * 1024];
        RawHttp.Answer chunk = RawHttp.exchange(api.port(), "PUT /v1/chunks/" + "a".repeat(64) + " HTTP/1.1\r\n"
                + "Authorization: Bearer " + device.token() + "\r\nContent-Length: " + tooLarge.length, tooLarge);
        assertThat(chunk.status()).as(chunk.toString()).isEqualTo(413);
        assertThat(chunk.header("Content-Type")).startsWith("application/problem+json");

        byte[] form = "a=1".getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer unsupported = RawHttp.exchange(api.port(), "POST /v1/chunks/missing HTTP/1.1\r\n"
                + "Authorization: Bearer " + device.token() + "\r\nContent-Type: text/plain\r\nContent-Length: " + form.length, form);
        assertThat(unsupported.status()).as(unsupported.toString()).isEqualTo(415);
        assertThat(unsupported.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aLoginBodyOverItsLimitIsRefusedBeforeItIsRead() {
        Response r = client.send("POST", "/v1/login", null,
                "{\"username\": \"x\", \"password\": \"" + "p".repeat(100_000) + "\"}", Map.of());
        assertProblem(r, 413, "body-too-large");
    }

    @Test
    void aDatabaseThatIsDownIsA503WithRetryAfterAndTheApiRecoversWhenItIsBack() throws Exception {
        // given a working device
        Device device = client.newAccountWithDevice("patient", "Laptop");
        String chunk = client.upload(device, "survives\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> batch = ApiClient.oneFileBatch(device.namespace(), "f", "a.txt", Map.of(device.id(), 1), chunk, 9);
        String database = api.postgres().database();

        // when the database refuses every connection and the API's open ones are cut
        try (Connection admin = api.postgres().withDatabase("postgres").connect()) {
            try {
                try (Statement s = admin.createStatement()) {
                    s.execute("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS false");
                }
                try (PreparedStatement kill = admin.prepareStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                    kill.setString(1, database);
                    kill.execute();
                }
                Response read = client.get(device, "/v1/devices");
                Response submit = client.submit(device, "while-down", batch);

                // then each request is a 503 telling the client to retry soon
                for (Response r : new Response[] {read, submit}) {
                    assertProblem(r, 503, "store-unavailable");
                    assertThat(r.header("Retry-After")).hasValue("1");
                }
            } finally {
                try (Statement s = admin.createStatement()) {
                    s.execute("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS true");
                }
            }
        }

        // and when the database is back, retrying as a client does (pooled connections that were cut fail once each) succeeds
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.submit(device, "while-down", batch).status(), status -> status == 202);
        assertThat(api.count("select count(*) from ingest.batches where idempotency_key = 'while-down'")).isEqualTo(1);
    }
}
