package io.cumulus.standalone.operations;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The management port of a process that runs no API (the API's port serves the same paths):
 * {@code GET /actuator/prometheus} with the admin token as bearer token, and the public
 * {@code GET /health/live} and {@code GET /health/ready} (with the admin token, the latter says why each
 * down store is down). Anything else is a 404 or 405 problem.
 * Listens on the process's bind address, the loopback interface unless told otherwise. Requests are
 * served by {@link #THREADS} threads with {@link #QUEUE} more waiting (a connection beyond those is
 * closed), and each request must arrive within {@link #MAX_REQUEST_SECONDS} and its answer leave within
 * {@link #MAX_RESPONSE_SECONDS} ({@code sun.net.httpserver.maxReqTime} and {@code maxRspTime}, unless
 * the operator set them), so slow clients cannot hold the port; {@code /health/live} never waits on a
 * store.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    public static final String METRICS = "/actuator/prometheus";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";

    static final int THREADS = 8;
    static final int QUEUE = 64;
    static final long MAX_REQUEST_SECONDS = 10;
    static final long MAX_RESPONSE_SECONDS = 30;
    static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    static final String MAX_RESPONSE_TIME = "sun.net.httpserver.maxRspTime";

    private final HttpServer server;
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "cumulus-management");
                t.setDaemon(true);
                return t;
            });

    private ManagementServer(HttpServer server) {
        this.server = server;
    }

    /** Starts serving on {@code address:port} (port 0: any free port). */
    public static ManagementServer start(String address, int port, ProcessMetrics metrics, Health health, String adminToken) {
        timeLimits(System.getProperties());
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + address + ":" + port + " for the management port"
                    + " (--management-port): " + e.getMessage(), e);
        }
        ManagementServer server = new ManagementServer(http);
        byte[] token = adminToken.getBytes(StandardCharsets.UTF_8);
        http.createContext("/", exchange -> server.handle(exchange, metrics, health, token));
        http.setExecutor(server.threads);
        http.start();
        log.info("management port listening address={} port={} maxReqTime={}s maxRspTime={}s", address, server.port(),
                System.getProperty(MAX_REQUEST_TIME), System.getProperty(MAX_RESPONSE_TIME));
        return server;
    }

    /**
     * The JDK's server reads its time limits once, when it first starts one in the process: they are set
     * here, before, unless the operator set them ({@code -Dsun.net.httpserver.maxReqTime=..}).
     */
    static void timeLimits(java.util.Properties properties) {
        properties.putIfAbsent(MAX_REQUEST_TIME, String.valueOf(MAX_REQUEST_SECONDS));
        properties.putIfAbsent(MAX_RESPONSE_TIME, String.valueOf(MAX_RESPONSE_SECONDS));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange, ProcessMetrics metrics, Health health, byte[] token) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals(METRICS) || path.equals(LIVE) || path.equals(READY);
            if (!known) {
                problem(exchange, 404, "/problems/not-found", "Not Found", "no such path: " + METRICS + ", " + LIVE + " or " + READY);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                problem(exchange, 405, "/problems/method-not-allowed", "Method Not Allowed", "only GET");
                return;
            }
            switch (path) {
                case LIVE -> send(exchange, health.live());
                case READY -> {
                    boolean asked = exchange.getRequestHeaders().containsKey("Authorization");
                    if (asked && !bearer(exchange, token)) {
                        unauthorized(exchange);
                        return;
                    }
                    send(exchange, health.ready(asked));
                }
                default -> {
                    if (!bearer(exchange, token)) {
                        unauthorized(exchange);
                        return;
                    }
                    body(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                }
            }
        }
    }

    private static void unauthorized(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        problem(exchange, 401, "/problems/unauthorized", "Unauthorized",
                "the admin token is required: Authorization: Bearer <admin token>");
    }

    private static boolean bearer(HttpExchange exchange, byte[] token) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), token);
    }

    private static void send(HttpExchange exchange, Health.Answer answer) throws IOException {
        body(exchange, answer.status(), "application/json", answer.json());
    }

    private static void problem(HttpExchange exchange, int status, String type, String title, String detail) throws IOException {
        body(exchange, status, "application/problem+json", "{\"type\":" + Json.string(type) + ",\"title\":" + Json.string(title)
                + ",\"status\":" + status + ",\"detail\":" + Json.string(detail) + "}");
    }

    private static void body(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
