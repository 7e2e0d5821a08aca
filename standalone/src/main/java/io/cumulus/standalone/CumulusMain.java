package io.cumulus.standalone;

import java.io.Console;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The {@code cumulus} command of the standalone jar:
 * <pre>
 *   serve [--options]                         run every service (the default)
 *   account create NAME [--password=P] [--data-dir=DIR] [--port=N]
 *   account quota NAME SIZE|default [--data-dir=DIR] [--port=N]   set an account's storage quota (5GiB, 500MiB)
 *   account usage NAME [--data-dir=DIR] [--port=N]               its storage usage against its quota
 *   admin fsck [--repair] [--data-dir=DIR] [--port=N]   check (and repair) the chunk store, see {@link AdminCommand}
 *   admin audit verify [--user NAME] [--data-dir=DIR] [--port=N]   verify the audit chains, see {@link AdminAuditCommand}
 *   admin rebuild PROJECTION | --status [ID] | --abort ID   rebuild a derived store, see
 *                                             {@link io.cumulus.standalone.rebuild.RebuildCommand}
 * </pre>
 * Exit codes: 0 done, 1 failed, 2 bad usage ({@code admin fsck} and {@code admin audit verify}: see their classes).
 */
public final class CumulusMain {

    public static void main(String[] args) {
        Optional<String> help = helpFor(Arrays.asList(args));
        if (help.isPresent()) {
            System.out.print(help.get());
            return;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String command = rest.isEmpty() || rest.get(0).startsWith("--") ? "serve" : rest.remove(0);
        try {
            switch (command) {
                case "serve" -> serve(rest);
                case "account" -> account(rest);
                case "admin" -> System.exit(AdminCommand.run(rest, System.getenv(), System.out, System.err));
                default -> usage("unknown command '" + command + "'");
            }
        } catch (StandaloneSettings.BadSettings e) {
            usage(e.getMessage());
        }
    }

    private static final String USAGE = """
            usage: cumulus [serve] [--data-dir=DIR] [--port=N] [--bind-address=ADDRESS] [--kafka-port=N] [--kafka-bootstrap=HOST:PORT]
                                   [--postgres-url=JDBC_URL] [--postgres-user=U] [--postgres-password=P] [--partitions=N]
                                   [--services=all|api,relay,reconciler,projector,gc,photos] [--instance-id=ID]
                                   [--replication-factor=auto|N] [--log-format=text|json]   (every option: see the README)
                   cumulus account create NAME [--password=P] [--data-dir=DIR] [--port=N]
                   cumulus account quota NAME SIZE|default [--data-dir=DIR] [--port=N]
                   cumulus account usage NAME [--data-dir=DIR] [--port=N]
                   """ + AdminCommand.USAGE + "\n";

    private static final String SERVE_USAGE = """
            usage: cumulus [serve] [--options]
            Runs every Cumulus service in this process (or those --services names).
              --data-dir=DIR                 where embedded servers, blobs and the admin token live (~/.cumulus)
              --port=N                       HTTP port of the API and the WebSocket notifier (8080)
              --bind-address=ADDRESS         the address it listens on (127.0.0.1; 0.0.0.0 for every interface)
              --kafka-port=N, --kafka-bootstrap=HOST:PORT[,...]
              --postgres-url=JDBC_URL, --postgres-user=U, --postgres-password=P
              --partitions=N, --replication-factor=auto|N
              --services=all|api,relay,reconciler,projector,gc,photos, --instance-id=ID
              --management-port=N            metrics and health of a process without the api service (9464)
              --schema-registry=URL          write the public topics in Confluent's wire format through this
                                             registry (http://HOST:PORT/apis/ccompat/v7); unset: single-object Avro
              --max-lag=DURATION, --max-pending-changes=N   new batches get 503 while the pipeline is this far
                                             behind (10s, 5000; --backpressure=off accepts them however far)
              --log-format=text|json         log lines for people (text) or one JSON object per line (json)
            Every option, with its environment variable: see the README (Configuration).
            """;

    private static final String ACCOUNT_USAGE = """
            usage: cumulus account create NAME [--password=P] [--data-dir=DIR] [--port=N] [--admin-token=T]
                   cumulus account quota NAME SIZE|default [--data-dir=DIR] [--port=N] [--admin-token=T]
                   cumulus account usage NAME [--data-dir=DIR] [--port=N] [--admin-token=T]
            create: creates an account on the running server (the password may also come from $CUMULUS_PASSWORD,
            else it is asked for).
            quota:  sets the account's storage quota (5GiB, 500MiB, 800MB; `default` for the server's
            cumulus.quota.default); batches that would take it over are refused.
            usage:  the unique bytes the account's retained versions hold, against its quota.
            """;

    private static final String ADMIN_USAGE = "usage: " + AdminCommand.USAGE + "\n"
            + "fsck checks the running server's chunk store, and with --repair repairs what it can (see docs/fsck.md).\n"
            + "audit verify checks every account's audit chain (or NAME's) and names the first entry that was edited,\n"
            + "removed or moved; exit 0 intact, 1 tampered (see docs/audit.md).\n"
            + "rebuild rebuilds a derived store from the topics into a new generation, with progress (admin rebuild --help).\n"
            + "replay re-publishes offsets or times [--from, --to) of a topic, records unchanged, into a consumer's own\n"
            + "topic (--into; never one of Cumulus's own), talking to Kafka directly.\n";

    /**
     * The help a command line asks for ({@code --help} or {@code -h} anywhere, or {@code help}), for
     * the command it names; empty when it asks for none.
     */
    static Optional<String> helpFor(List<String> args) {
        boolean asked = args.contains("--help") || args.contains("-h") || !args.isEmpty() && args.get(0).equals("help");
        if (!asked) {
            return Optional.empty();
        }
        String command = args.isEmpty() || args.get(0).startsWith("-") ? "" : args.get(0);
        if (command.equals("admin") && args.size() > 1 && args.get(1).equals("rebuild")) {
            return Optional.of(io.cumulus.standalone.rebuild.RebuildCommand.HELP);
        }
        return Optional.of(switch (command) {
            case "serve" -> SERVE_USAGE;
            case "account" -> ACCOUNT_USAGE;
            case "admin" -> ADMIN_USAGE;
            default -> USAGE;
        });
    }

    private static void usage(String problem) {
        System.err.println("cumulus: " + problem);
        System.err.print(USAGE);
        System.exit(2);
    }

    private static void serve(List<String> args) {
        StandaloneSettings settings = StandaloneSettings.from(args, System.getenv());
        settings.logFormat().apply();
        // before any serde exists: every service's AvroSerde reads it when made (decision 0037)
        settings.schemaRegistry().ifPresent(url -> System.setProperty(io.cumulus.schemas.AvroSerde.REGISTRY_PROPERTY, url));
        // With --log-format=json every line on standard output is a JSON object: what the server says goes through the log.
        Consumer<String> out = settings.logFormat() == LogFormat.JSON
                ? org.slf4j.LoggerFactory.getLogger(CumulusMain.class)::info : System.out::println;
        out.accept("Cumulus is starting; data in " + settings.dataDir());
        StandaloneServer server = StandaloneServer.create(settings,
                line -> out.accept(settings.logFormat() == LogFormat.TEXT ? "  " + line : line));
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so that a Ctrl-C during start-up still stops the embedded servers.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.accept("Cumulus is stopping ...");
            server.close();
            out.accept("Cumulus stopped.");
            stopped.countDown();
        }, "cumulus-shutdown"));
        try {
            server.run(stage -> {
                System.err.println("cumulus: a pipeline stage stopped (" + stage + "); stopping so that no more batches"
                        + " are accepted. Start again to resume where it stopped.");
                System.exit(1);
            });
        } catch (RuntimeException e) {
            System.err.println("cumulus: could not start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        if (settings.logFormat() == LogFormat.TEXT) {
            System.out.println();
        }
        if (!settings.runs(StandaloneSettings.Service.API)) {
            out.accept("Cumulus is running: " + settings.services().stream().map(s -> s.name().toLowerCase())
                    .sorted().toList() + " as instance " + settings.instanceId() + ". Stop with Ctrl-C.");
        } else {
            printWelcome(settings, server, out);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void printWelcome(StandaloneSettings settings, StandaloneServer server, Consumer<String> out) {
        out.accept("Cumulus is running at " + server.baseUrl() + " (WebSocket " + server.baseUrl().replace("http", "ws") + "/v1/notify)");
        out.accept("Listening on " + settings.bindAddress() + (settings.bindAddress().equals(StandaloneSettings.DEFAULT_BIND_ADDRESS)
                ? ": this machine only (--bind-address=0.0.0.0 to accept other machines)" : ""));
        out.accept("Create the first account:   ./cumulus account create alice --password 'a long passphrase'"
                + (settings.dataDir().equals(Path.of(System.getProperty("user.home"), ".cumulus")) ? "" : " --data-dir=" + settings.dataDir())
                + (settings.httpPort() == 8080 ? "" : " --port=" + server.httpPort()));
        out.accept("Stop with Ctrl-C.");
    }

    private static void account(List<String> args) {
        if (args.size() >= 2 && args.get(0).equals("quota")) {
            accountQuota(args);
            return;
        }
        if (args.size() >= 2 && args.get(0).equals("usage")) {
            accountUsage(args);
            return;
        }
        if (args.size() < 2 || !args.get(0).equals("create")) {
            usage("expected: account create NAME [--password=P], account quota NAME SIZE or account usage NAME");
        }
        String username = args.get(1);
        String password = null;
        List<String> serverOptions = new ArrayList<>();
        for (int i = 2; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--password=")) {
                password = a.substring("--password=".length());
            } else if (a.equals("--password") && i + 1 < args.size()) {
                password = args.get(++i);
            } else {
                serverOptions.add(a);
            }
        }
        StandaloneSettings settings = StandaloneSettings.from(serverOptions, System.getenv());
        if (password == null) {
            password = System.getenv("CUMULUS_PASSWORD");
        }
        if (password == null) {
            Console console = System.console();
            if (console == null) {
                usage("give a password with --password=P or CUMULUS_PASSWORD");
            }
            password = new String(console.readPassword("Password for %s: ", username));
        }
        String body = "{\"username\":" + json(username) + ",\"password\":" + json(password) + "}";
        HttpResponse<String> response = admin(settings, "POST", "/v1/admin/accounts", body);
        System.out.println("account created: " + response.body());
    }

    /** {@code account quota NAME SIZE|default}: sets the account's storage quota through the admin endpoint. */
    private static void accountQuota(List<String> args) {
        if (args.size() < 3 || args.get(2).startsWith("--")) {
            usage("expected: account quota NAME SIZE (such as 10GiB or 500MiB) or account quota NAME default");
        }
        String username = args.get(1);
        StandaloneSettings settings = StandaloneSettings.from(args.subList(3, args.size()), System.getenv());
        HttpResponse<String> response = admin(settings, "PUT", "/v1/admin/accounts/" + pathSegment(username) + "/quota",
                "{\"quota\":" + json(args.get(2)) + "}");
        System.out.println("quota set: " + response.body());
    }

    /** {@code account usage NAME}: the account's storage usage against its quota. */
    private static void accountUsage(List<String> args) {
        String username = args.get(1);
        StandaloneSettings settings = StandaloneSettings.from(args.subList(2, args.size()), System.getenv());
        HttpResponse<String> response = admin(settings, "GET", "/v1/admin/accounts/" + pathSegment(username) + "/usage", null);
        System.out.println(response.body());
    }

    private static String pathSegment(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * An admin request to the running server, with the admin token found as {@code account create}
     * finds it (--admin-token, else the data dir's admin-token file); exits 1 unless it answers 2xx.
     */
    private static HttpResponse<String> admin(StandaloneSettings settings, String method, String path, String body) {
        try {
            Optional<AdminServer> server = AdminServer.locate(settings, System.err);
            if (server.isEmpty()) {
                System.exit(1);
            }
            String token = server.get().token();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.get().baseUrl() + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                System.err.println("cumulus: the server refused (" + response.statusCode() + "): " + response.body());
                System.exit(1);
            }
            return response;
        } catch (ConnectException e) {
            System.err.println(AdminServer.notRunning(settings));
            System.exit(1);
        } catch (IOException e) {
            System.err.println("cumulus: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
        throw new IllegalStateException("unreachable");
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !b.toString().contains(t.getMessage())) {
                b.append(": ").append(t.getMessage());
            }
        }
        return b.toString();
    }

    private CumulusMain() {
    }
}
