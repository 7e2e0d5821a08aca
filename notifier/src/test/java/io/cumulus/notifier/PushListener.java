package io.cumulus.notifier;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A device's notification socket opened with the JDK client; every frame it receives lands in a queue. */
final class PushListener implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    private final WebSocket socket;

    private PushListener(URI uri, String token) throws Exception {
        this.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(JSON.readTree(partial.toString()));
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closedWith.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closedWith.complete(-1);
                    }
                }).get(30, TimeUnit.SECONDS);
    }

    /** @throws java.util.concurrent.ExecutionException when the server refuses the handshake */
    static PushListener connect(int port, String token) throws Exception {
        return new PushListener(URI.create("ws://127.0.0.1:" + port + "/v1/notify"), token);
    }

    /** The close code the server sent (-1 when the connection broke without one), or null while open. */
    Integer closeCode() {
        return closedWith.getNow(null);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The oldest frame not taken yet, or null. */
    JsonNode poll() {
        return frames.poll();
    }

    void drainTo(java.util.Collection<JsonNode> into) {
        frames.drainTo(into);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
