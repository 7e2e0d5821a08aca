package io.cumulus.standalone;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cumulus admin fsck [--repair]}: asks the running server to check its chunk store
 * ({@code POST /v1/admin/fsck}, with the admin token found as {@code account create} finds it) and
 * prints what it found, one line per kind of finding, then the samples. The check runs in the server,
 * which has the stores; this command only waits for its report, however long the check takes.
 * Exit codes: {@value #CLEAN} nothing needs attention and every count was checked; {@value #FINDINGS}
 * findings remain (after {@code --repair}: those it could not repair) or the counts could not be
 * checked; {@value #FAILED} bad usage, no server, or the server refused. {@code cumulus admin audit verify}
 * is {@link AdminAuditCommand}.
 */
final class AdminCommand {
    static final int CLEAN = 0;
    static final int FINDINGS = 1;
    static final int FAILED = 2;

    static final String USAGE = "cumulus admin fsck [--repair] [--data-dir=DIR] [--port=N] [--admin-token=T]\n       "
            + AdminAuditCommand.USAGE + "\n       " + io.cumulus.standalone.rebuild.RebuildCommand.USAGE
            + "\n       " + io.cumulus.standalone.replay.ReplayCommand.USAGE;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String[]> KINDS = List.of(
            new String[] {"danglingReferences", "dangling references"},
            new String[] {"countsTooLow", "counts too low"},
            new String[] {"countsTooHigh", "counts too high"},
            new String[] {"uncataloguedObjects", "uncatalogued objects"},
            new String[] {"missingObjects", "missing objects"});

    private AdminCommand() {
    }

    /** Runs {@code admin ARGS...} and answers the exit code. */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && args.get(0).equals("audit")) {
            return AdminAuditCommand.run(args.subList(1, args.size()), env, out, err);
        }
        if (!args.isEmpty() && args.get(0).equals("replay")) {
            return io.cumulus.standalone.replay.ReplayCommand.run(args.subList(1, args.size()), env, out, err);
        }
        if (!args.isEmpty() && args.get(0).equals("rebuild")) {
            return io.cumulus.standalone.rebuild.RebuildCommand.run(args.subList(1, args.size()), env, out, err);
        }
        if (args.isEmpty() || !args.get(0).equals("fsck")) {
            return usage(err, args.isEmpty() ? "admin needs a command" : "unknown admin command '" + args.get(0) + "'");
        }
        boolean repair = false;
        List<String> serverOptions = new ArrayList<>();
        for (String arg : args.subList(1, args.size())) {
            if (arg.equals("--repair")) {
                repair = true;
            } else {
                serverOptions.add(arg);
            }
        }
        StandaloneSettings settings;
        try {
            settings = StandaloneSettings.from(serverOptions, env);
        } catch (StandaloneSettings.BadSettings e) {
            return usage(err, e.getMessage());
        }
        try {
            Optional<AdminServer> located = AdminServer.locate(settings, err);
            if (located.isEmpty()) {
                return FAILED;
            }
            String token = located.get().token();
            URI uri = URI.create(located.get().baseUrl() + "/v1/admin/fsck" + (repair ? "?repair=true" : ""));
            // No request timeout: the server answers when the check is done, minutes later on a large store.
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            out.println("cumulus: checking the chunk store" + (repair ? " and repairing what it safely can" : "")
                    + "; this reads every file version, count, catalogue row and object ...");
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("cumulus: the server refused (" + response.statusCode() + "): " + response.body());
                return FAILED;
            }
            JsonNode report = JSON.readTree(response.body());
            out.print(summary(report));
            return exitCode(report);
        } catch (ConnectException e) {
            err.println(AdminServer.notRunning(settings));
            return FAILED;
        } catch (IOException | JacksonException e) {
            err.println("cumulus: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("cumulus: " + problem);
        err.println("usage: " + USAGE);
        return FAILED;
    }

    /** The exit code a report calls for. */
    static int exitCode(JsonNode report) {
        boolean compared = report.path("countsCompared").asBoolean(false);
        return compared && report.path("unresolved").asLong(1) == 0 ? CLEAN : FINDINGS;
    }

    /** The report for a person: what was read, one line per kind of finding, the samples, the verdict. */
    static String summary(JsonNode report) {
        StringBuilder b = new StringBuilder();
        boolean repair = report.path("repair").asBoolean(false);
        b.append("fsck ").append(repair ? "with repairs" : "(check only)").append(", grace period ")
                .append(text(report, "grace")).append('\n');
        b.append("  read ").append(number(report, "filesRead")).append(" files, ").append(number(report, "chunksHeld"))
                .append(" chunks held, ").append(number(report, "countRows")).append(" counts, ")
                .append(number(report, "catalogueRows")).append(" catalogue rows, ")
                .append(number(report, "objectsListed")).append(" objects\n");
        if (report.path("countsCompared").asBoolean(false)) {
            b.append("  counts compared (every reference counted before ").append(text(report, "countedUpTo")).append(")\n");
        } else {
            b.append("  counts NOT compared, and nothing deleted: ").append(text(report, "countsNote")).append('\n');
        }
        for (String[] kind : KINDS) {
            JsonNode section = report.path(kind[0]);
            b.append(String.format("  %-22s %d", kind[1], section.path("total").asLong(0)));
            long resolved = section.path("resolved").asLong(0);
            long unresolved = section.path("unresolved").asLong(0);
            if (resolved > 0 || unresolved > 0) {
                b.append("  (").append(resolved).append(" resolved, ").append(unresolved).append(" need attention)");
            }
            b.append('\n');
        }
        for (String[] kind : KINDS) {
            JsonNode section = report.path(kind[0]);
            JsonNode samples = section.path("samples");
            if (samples.isEmpty()) {
                continue;
            }
            b.append(kind[1]).append(samples.size() < section.path("total").asLong(0)
                    ? " (the first " + samples.size() + " of " + section.path("total").asLong(0) + ")" : "").append(":\n");
            for (JsonNode f : samples) {
                b.append("  ").append(text(f, "chunkId")).append(": ").append(text(f, "problem")).append('\n')
                        .append("      held by ").append(number(f, "expected")).append(" file(s), counted ")
                        .append(text(f, "counted")).append(", catalogue ").append(text(f, "catalogue")).append(", object ")
                        .append(f.path("objectSize").isNumber() ? f.path("objectSize").asLong() + " bytes written "
                                + text(f, "objectModified") : "none")
                        .append('\n')
                        .append("      -> ").append(text(f, "outcome")).append('\n');
            }
        }
        long unresolved = report.path("unresolved").asLong(0);
        if (exitCode(report) == CLEAN) {
            b.append("result: nothing needs attention\n");
        } else if (unresolved > 0) {
            b.append("result: ").append(unresolved).append(" finding(s) need attention")
                    .append(repair ? "" : "; ./cumulus admin fsck --repair repairs those it safely can").append('\n');
        } else {
            b.append("result: the counts could not be checked; run fsck again once the reference counter has caught up\n");
        }
        return b.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asString();
    }

    private static long number(JsonNode node, String field) {
        return node.path(field).asLong(0);
    }
}
