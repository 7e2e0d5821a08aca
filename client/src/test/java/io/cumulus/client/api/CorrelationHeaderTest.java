package io.cumulus.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The correlation id a device gives its requests, for the server's log lines about them. */
class CorrelationHeaderTest {
    private HttpServer http;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", x -> {
            received.add(String.valueOf(x.getRequestHeaders().getFirst(ServerApi.CORRELATION_HEADER)));
            byte[] body = "{\"devices\":[]}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
    }

    @AfterEach
    void stopServer() {
        http.stop(0);
    }

    @Test
    void everyRequestCarriesTheIdOfItsRoundOnceOneIsGiven() {
        ServerApi api = ServerApi.device(URI.create("http://127.0.0.1:" + http.getAddress().getPort()), "token");
        api.devices();
        String first = ServerApi.newCorrelationId();
        api.correlate(first);
        api.devices();
        api.devices();
        String second = ServerApi.newCorrelationId();
        api.correlate(second);
        api.devices();

        assertThat(received).containsExactly("null", first, first, second);
        assertThat(first).matches("c-[0-9a-f]{16}").isNotEqualTo(second);
    }

    @Test
    void anIdTheServerWouldReplaceIsRefusedAtOnce() {
        ServerApi api = ServerApi.anonymous(URI.create("http://127.0.0.1:1"));
        assertThatThrownBy(() -> api.correlate("two words")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> api.correlate("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
    }
}
