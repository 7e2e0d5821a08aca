package io.cumulus.standalone.rebuild;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.cumulus.standalone.AdminServer;
import io.cumulus.standalone.StandaloneSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cumulus admin rebuild}: starts a rebuild in the running server ({@code POST /v1/admin/rebuilds})
 * and prints its progress every second until it has switched; or shows ({@code --status}) or aborts
 * ({@code --abort}) one. The server is found, and its admin token read, as {@code admin fsck} does.
 * Exit codes: {@value #DONE} switched (or, for --no-wait, --status and --abort, the server answered);
 * {@value #NOT_DONE} the rebuild was aborted or failed; {@value #FAILED} bad usage, no server, or the
 * server refused.
 */
public final class RebuildCommand {
    public static final int DONE = 0;
    public static final int NOT_DONE = 1;
    public static final int FAILED = 2;

    public static final String USAGE = "cumulus admin rebuild PROJECTION [--no-wait] [--data-dir=DIR] [--port=N] [--admin-token=T]\n"
            + "       cumulus admin rebuild --status [ID] | --abort ID [--data-dir=DIR] [--port=N] [--admin-token=T]";

    public static final String HELP = "usage: " + USAGE + "\n"
            + "Rebuilds a derived store from the topics into a new generation while the old one keeps serving, and\n"
            + "switches to it once it has caught up; the old generation is then dropped. PROJECTION is one of\n"
            + "readmodel, chunk-refs, photos (and what else the server lists with --status).\n"
            + "  --no-wait      start it and exit; follow it with --status ID\n"
            + "  --status [ID]  the rebuilds since the server started (or one of them), with their progress\n"
            + "  --abort ID     stop a rebuild before it switches: its new generation is dropped, the live one untouched\n"
            + "Exit codes: 0 switched, 1 aborted or failed, 2 bad usage or no server. See the README (Rebuilding a derived store).\n";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration POLL_EVERY = Duration.ofSeconds(1);

    private RebuildCommand() {
    }

    /** What the command line asks for. */
    sealed interface Invocation permits Start, Status, Abort {
        List<String> serverOptions();
    }

    record Start(String projection, boolean follow, List<String> serverOptions) implements Invocation {
    }

    record Status(Optional<String> id, List<String> serverOptions) implements Invocation {
    }

    record Abort(String id, List<String> serverOptions) implements Invocation {
    }

    /** A command line that does not say what to do. */
    static final class BadUsage extends RuntimeException {
        BadUsage(String message) {
            super(message);
        }
    }

    /** Reads {@code admin rebuild ARGS...} (the words after {@code rebuild}). */
    static Invocation parse(List<String> args) {
        String projection = null;
        boolean noWait = false;
        boolean status = false;
        boolean abort = false;
        String id = null;
        List<String> serverOptions = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--no-wait" -> noWait = true;
                case "--status" -> {
                    status = true;
                    if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                        id = args.get(++i);
                    }
                }
                case "--abort" -> {
                    abort = true;
                    if (i + 1 >= args.size() || args.get(i + 1).startsWith("-")) {
                        throw new BadUsage("--abort needs the rebuild's id (see --status)");
                    }
                    id = args.get(++i);
                }
                default -> {
                    if (a.startsWith("--status=")) {
                        status = true;
                        id = a.substring("--status=".length());
                    } else if (a.startsWith("--abort=")) {
                        abort = true;
                        id = a.substring("--abort=".length());
                    } else if (a.startsWith("-")) {
                        serverOptions.add(a);
                    } else if (projection == null) {
                        projection = a;
                    } else {
                        throw new BadUsage("one projection at a time, got '" + projection + "' and '" + a + "'");
                    }
                }
            }
        }
        if (status && abort) {
            throw new BadUsage("--status or --abort, not both");
        }
        if ((status || abort) && (projection != null || noWait)) {
            throw new BadUsage((status ? "--status" : "--abort") + " takes an id, not a projection or --no-wait");
        }
        if (abort) {
            if (id == null || id.isBlank()) {
                throw new BadUsage("--abort needs the rebuild's id (see --status)");
            }
            return new Abort(id, serverOptions);
        }
        if (status) {
            return new Status(Optional.ofNullable(id).filter(s -> !s.isBlank()), serverOptions);
        }
        if (projection == null) {
            throw new BadUsage("rebuild needs a projection (readmodel, chunk-refs, photos, ...) or --status");
        }
        return new Start(projection, !noWait, serverOptions);
    }

    /** Runs {@code admin rebuild ARGS...} and answers the exit code. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Invocation invocation;
        StandaloneSettings settings;
        try {
            invocation = parse(args);
            settings = StandaloneSettings.from(invocation.serverOptions(), env);
        } catch (BadUsage | StandaloneSettings.BadSettings e) {
            err.println("cumulus: " + e.getMessage());
            err.println("usage: " + USAGE);
            return FAILED;
        }
        try {
            Optional<AdminServer> located = AdminServer.locate(settings, err);
            if (located.isEmpty()) {
                return FAILED;
            }
            String token = located.get().token();
            Server server = new Server(located.get().baseUrl(), token);
            return switch (invocation) {
                case Start start -> start(server, start, out, err);
                case Status status -> status(server, status, out, err);
                case Abort abort -> abort(server, abort, out, err);
            };
        } catch (ConnectException e) {
            err.println(AdminServer.notRunning(settings));
            return FAILED;
        } catch (Refused e) {
            err.println("cumulus: the server refused (" + e.status + "): " + e.getMessage());
            return FAILED;
        } catch (IOException | JacksonException e) {
            err.println("cumulus: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    private static int start(Server server, Start start, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        JsonNode status = server.send("POST", "/v1/admin/rebuilds", "{\"projection\":" + quoted(start.projection()) + "}");
        String id = status.path("id").asString();
        out.println("cumulus: rebuilding " + start.projection() + " into generation " + status.path("generation").asInt()
                + " (rebuild " + id + ")");
        if (!start.follow()) {
            out.println("follow it with: ./cumulus admin rebuild --status " + id + "; abort it with --abort " + id);
            return DONE;
        }
        out.println("the live generation keeps serving meanwhile; Ctrl-C stops watching, not the rebuild"
                + " (./cumulus admin rebuild --abort " + id + " stops it)");
        while (!finished(status)) {
            Thread.sleep(POLL_EVERY.toMillis()); // the server pushes nothing: poll its status once a second
            status = server.send("GET", "/v1/admin/rebuilds/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            out.println(progressLine(status));
        }
        out.println(resultLine(status));
        return status.path("phase").asString().equals("done") ? DONE : NOT_DONE;
    }

    private static int status(Server server, Status status, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        if (status.id().isPresent()) {
            JsonNode one = server.send("GET", "/v1/admin/rebuilds/" + URLEncoder.encode(status.id().get(), StandardCharsets.UTF_8), null);
            out.println(progressLine(one));
            out.println("  id " + one.path("id").asString() + ", " + one.path("location").asString() + ", started "
                    + one.path("startedAt").asString());
            return DONE;
        }
        JsonNode all = server.send("GET", "/v1/admin/rebuilds", null);
        List<String> names = new ArrayList<>();
        all.path("projections").forEach(p -> names.add(p.path("name").asString()));
        out.println("projections: " + String.join(", ", names));
        if (all.path("rebuilds").isEmpty()) {
            out.println("no rebuild since the server started");
        }
        for (JsonNode r : all.path("rebuilds")) {
            out.println(r.path("id").asString() + "  " + progressLine(r));
        }
        return DONE;
    }

    private static int abort(Server server, Abort abort, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        JsonNode status = server.send("DELETE", "/v1/admin/rebuilds/" + URLEncoder.encode(abort.id(), StandardCharsets.UTF_8), null);
        out.println("cumulus: aborting the rebuild of " + status.path("projection").asString() + "; generation "
                + status.path("generation").asInt() + " is dropped, the live one is untouched");
        return DONE;
    }

    private static boolean finished(JsonNode status) {
        String phase = status.path("phase").asString();
        return phase.equals("done") || phase.equals("aborted") || phase.equals("failed");
    }

    /** One line of progress: {@code readmodel: catching up 12,345/40,000 records (31%), 2,100/s, about 13 s left}. */
    static String progressLine(JsonNode s) {
        String projection = s.path("projection").asString();
        String phase = s.path("phase").asString();
        long done = s.path("done").asLong(0);
        long total = s.path("total").asLong(0);
        StringBuilder b = new StringBuilder(projection).append(": ").append(phase.replace('-', ' '));
        switch (phase) {
            case "done" -> b.append(", generation ").append(s.path("generation").asInt()).append(" is live (")
                    .append(number(done)).append(" records)");
            case "aborted" -> b.append(", generation ").append(s.path("generation").asInt()).append(" dropped");
            case "failed" -> b.append(": ").append(s.path("error").asString("unknown error"));
            default -> {
                b.append(' ').append(number(done)).append('/').append(number(total)).append(" records");
                if (total > 0) {
                    b.append(" (").append(Math.min(100, done * 100 / total)).append("%)");
                }
                double rate = s.path("recordsPerSecond").asDouble(0);
                if (rate > 0) {
                    b.append(", ").append(number(Math.round(rate))).append("/s");
                }
                JsonNode left = s.path("secondsLeft");
                if (left.isNumber()) {
                    b.append(", about ").append(duration(left.asLong())).append(" left");
                }
            }
        }
        return b.toString();
    }

    /** The last line: what happened, and for a failure what the operator does next. */
    static String resultLine(JsonNode s) {
        String projection = s.path("projection").asString();
        return switch (s.path("phase").asString()) {
            case "done" -> "cumulus: " + projection + " switched to generation " + s.path("generation").asInt()
                    + "; the old generation was dropped";
            case "aborted" -> "cumulus: the rebuild of " + projection + " was aborted; the live generation is unchanged";
            default -> "cumulus: the rebuild of " + projection + " failed: " + s.path("error").asString("unknown error")
                    + "; the live generation is unchanged (see the server's log)";
        };
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return (seconds + 30) / 60 + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600.0);
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** An answer other than 2xx. */
    private static final class Refused extends IOException {
        final int status;

        Refused(int status, String body) {
            super(body);
            this.status = status;
        }
    }

    /** The running server's admin endpoints. */
    private record Server(String baseUrl, String token) {
        JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new Refused(response.statusCode(), problemDetail(response.body()));
            }
            return JSON.readTree(response.body());
        }

        private static String problemDetail(String body) {
            try {
                JsonNode problem = JSON.readTree(body);
                return problem.path("detail").isString() ? problem.path("detail").asString() : body;
            } catch (JacksonException e) {
                return body;
            }
        }
    }
}
