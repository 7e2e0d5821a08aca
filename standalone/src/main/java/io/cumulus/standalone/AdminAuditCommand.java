package io.cumulus.standalone;

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
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cumulus admin audit verify [--user NAME]}: asks the running server to verify the audit chains
 * ({@code GET /v1/admin/audit/verify}, with the admin token found as {@code admin fsck} finds it) and prints
 * one line per account and a result line. Exit codes: {@value AdminCommand#CLEAN} every chain is intact;
 * {@value AdminCommand#FINDINGS} a chain was tampered with; {@value AdminCommand#FAILED} bad usage, no
 * server, an unknown user, or the server refused.
 */
final class AdminAuditCommand {
    static final String USAGE = "cumulus admin audit verify [--user NAME] [--data-dir=DIR] [--port=N] [--admin-token=T]";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AdminAuditCommand() {
    }

    /** Runs {@code admin audit ARGS...} and answers the exit code. */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !args.get(0).equals("verify")) {
            return usage(err, args.isEmpty() ? "admin audit needs a command (verify)" : "unknown admin audit command '" + args.get(0) + "'");
        }
        Optional<String> user = Optional.empty();
        List<String> serverOptions = new ArrayList<>();
        List<String> rest = args.subList(1, args.size());
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            if (arg.equals("--user")) {
                if (i + 1 >= rest.size() || rest.get(i + 1).isBlank()) {
                    return usage(err, "--user needs a username");
                }
                user = Optional.of(rest.get(++i));
            } else if (arg.startsWith("--user=")) {
                user = Optional.of(arg.substring("--user=".length()));
                if (user.get().isBlank()) {
                    return usage(err, "--user needs a username");
                }
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
                return AdminCommand.FAILED;
            }
            String token = located.get().token();
            URI uri = URI.create(located.get().baseUrl() + "/v1/admin/audit/verify"
                    + user.map(u -> "?username=" + URLEncoder.encode(u, StandardCharsets.UTF_8)).orElse(""));
            HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET().build();
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404 && user.isPresent()) {
                err.println("cumulus: no account is named '" + user.get() + "'");
                return AdminCommand.FAILED;
            }
            if (response.statusCode() != 200) {
                err.println("cumulus: the server refused (" + response.statusCode() + "): " + response.body());
                return AdminCommand.FAILED;
            }
            JsonNode report = JSON.readTree(response.body());
            out.print(summary(report));
            return exitCode(report);
        } catch (ConnectException e) {
            err.println(AdminServer.notRunning(settings));
            return AdminCommand.FAILED;
        } catch (IOException | JacksonException e) {
            err.println("cumulus: " + e.getMessage());
            return AdminCommand.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminCommand.FAILED;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("cumulus: " + problem);
        err.println("usage: " + USAGE);
        return AdminCommand.FAILED;
    }

    static int exitCode(JsonNode report) {
        return report.path("intact").asBoolean(false) ? AdminCommand.CLEAN : AdminCommand.FINDINGS;
    }

    /** One line per account (its name, or its id when its account row is gone), then the verdict. */
    static String summary(JsonNode report) {
        StringBuilder b = new StringBuilder();
        for (JsonNode r : report.path("results")) {
            String name = r.path("username").isString() ? r.path("username").asString()
                    : "(no account) " + r.path("accountId").asString();
            b.append(String.format("  %-24s %6d entries  ", name, r.path("checked").asLong(0)));
            if (r.path("intact").asBoolean(false)) {
                b.append("intact\n");
            } else {
                b.append("TAMPERED at entry ").append(r.path("firstBadSeq").asLong()).append(" (")
                        .append(r.path("problem").asString()).append("): ").append(r.path("detail").asString()).append('\n');
            }
        }
        long accounts = report.path("accounts").asLong(0);
        long tampered = report.path("tampered").asLong(0);
        if (exitCode(report) == AdminCommand.CLEAN) {
            b.append("result: ").append(accounts == 1 ? "the chain is" : "every chain is").append(" intact (")
                    .append(accounts).append(accounts == 1 ? " account" : " accounts").append(")\n");
        } else {
            b.append("result: ").append(tampered).append(" of ").append(accounts)
                    .append(accounts == 1 ? " chain" : " chains").append(" tampered with\n");
        }
        return b.toString();
    }
}
