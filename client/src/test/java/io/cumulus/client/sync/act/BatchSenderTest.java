package io.cumulus.client.sync.act;

import static io.cumulus.client.testing.JsonAnswers.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Remote.Change;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.plan.LocalNames;
import io.cumulus.client.sync.plan.PushPlanner.LocalChange;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a batch goes out when the server answers that it is busy (503 {@code pipeline-busy} with
 * {@code Retry-After}: its pipeline is behind): against a small HTTP server that answers as the
 * server would, with the device's real queue in SQLite.
 */
class BatchSenderTest {
    private static final String NS = "00000000-0000-0000-0000-0000000000aa";
    private static final String DEVICE = "00000000-0000-0000-0000-0000000000d1";
    private static final String BATCH = "00000000-0000-0000-0000-0000000000b1";

    @TempDir
    Path folder;

    private HttpServer http;
    private LocalState state;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<String> keys = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger busyAnswers = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::answer);
        http.start();
        state = LocalState.open(folder);
    }

    @AfterEach
    void stop() {
        state.close();
        http.stop(0);
    }

    @Test
    void aBusyServerIsWaitedOutAndTheBatchGoesOnceUnderItsKey() throws IOException {
        // given a server that answers busy three times before it takes the batch, and a device that tries twice
        busyAnswers.set(3);
        BatchSender sender = sender(new Retry(2, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofSeconds(30)));

        // when the device sends a new file
        Map<String, String> refused = sender.send(List.of(newFile("notes/a.txt")));

        // then it went through, under one key, after as many tries as the server asked for
        assertThat(refused).isEmpty();
        assertThat(keys).hasSize(4).containsOnly(keys.getFirst());
        assertThat(state.pending()).isEmpty();
        assertThat(state.byPath("notes/a.txt")).hasValueSatisfying(f -> assertThat(f.seq()).isEqualTo(7));
        // and nothing is marked wrong; the wait was said once, and its end
        assertThat(state.skipped()).isEmpty();
        assertThat(state.serverBusySince()).isEmpty();
        assertThat(log).filteredOn(line -> line.startsWith("server busy")).hasSize(1);
        assertThat(log).anyMatch(line -> line.startsWith("server taking changes again"));
    }

    @Test
    void aServerBusyForLongerThanTheDevicesPatienceLeavesTheBatchQueuedAndSaysSo() {
        // given a server that stays busy
        busyAnswers.set(Integer.MAX_VALUE);
        BatchSender sender = sender(new Retry(2, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofMillis(100)));

        // when the device sends a new file, then the busy answer comes back once its patience is used up
        assertThatThrownBy(() -> sender.send(List.of(newFile("notes/a.txt"))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.busy()).isTrue());

        // and the batch stays queued for the next round, the state says since when the server is busy, and nothing is skipped
        assertThat(keys.size()).isGreaterThan(2);
        assertThat(keys).containsOnly(keys.getFirst());
        assertThat(state.pending()).singleElement().satisfies(p -> assertThat(p.idempotencyKey()).isEqualTo(keys.getFirst()));
        assertThat(state.serverBusySince()).isPresent();
        assertThat(state.skipped()).isEmpty();
        assertThat(state.files()).isEmpty();
    }

    private BatchSender sender(Retry retry) {
        ServerApi api = ServerApi.device(URI.create("http://127.0.0.1:" + http.getAddress().getPort()), "token");
        return new BatchSender(new FolderAccess(folder), LocalNames.forFolder(folder), NS, api, state, log::add, retry,
                Clock.systemUTC(), Duration.ofSeconds(10));
    }

    private LocalChange newFile(String path) throws IOException {
        Files.createDirectories(folder.resolve(path).getParent());
        Files.writeString(folder.resolve(path), "hello\n");
        Manifest manifest = Manifest.of(ChunkRef.of("a".repeat(64), 6));
        return new LocalChange(new Change("file-a", path, false, VersionVector.of(Map.of(DEVICE, 1L)), manifest),
                new LocalFile(path, 6, 1_000L, "1"));
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        x.getRequestBody().readAllBytes();
        try {
            if (x.getRequestMethod().equals("POST") && path.equals("/v1/changes")) {
                keys.add(x.getRequestHeaders().getFirst("Idempotency-Key"));
                if (busyAnswers.getAndDecrement() > 0) {
                    x.getResponseHeaders().set("Retry-After", "1");
                    json(x, 503, Map.of("type", "/problems/pipeline-busy", "title", "Pipeline busy", "status", 503,
                            "detail", "the server is still processing earlier changes"));
                } else {
                    json(x, 202, Map.of("batchId", BATCH));
                }
            } else if (path.equals("/v1/batches/" + BATCH)) {
                json(x, 200, Map.of("batchId", BATCH, "status", "done", "changes", List.of(Map.of("changeIndex", 0,
                        "fileId", "file-a", "path", "notes/a.txt", "kind", "APPLIED", "seq", 7,
                        "currentVector", Map.of(DEVICE, 1)))));
            } else {
                json(x, 400, Map.of("type", "/problems/unexpected", "title", "not expected: " + path));
            }
        } finally {
            x.close();
        }
    }
}
