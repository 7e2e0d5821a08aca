package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code cumulus admin fsck}: its usage errors, its failures without a server, and the summary and exit code of a report. */
class AdminCommandTest {
    private static final String TOKEN = "an-admin-token-of-enough-length";

    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AdminCommand.run(List.of(args), Map.of("CUMULUS_DATA_DIR", dataDir.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode report(String json) {
        return JsonMapper.builder().build().readTree(json);
    }

    /** A report as the server writes it, with the given counts-compared flag, unresolved count and one section's figures. */
    private static JsonNode report(boolean compared, long unresolved, String uncatalogued) {
        return report("""
                {"startedAt": "2026-06-01T12:00:00Z", "finishedAt": "2026-06-01T12:00:02Z", "repair": false, "grace": "PT24H",
                 "countsCompared": %s, "countedUpTo": %s, "countsNote": %s,
                 "filesRead": 12, "chunksHeld": 30, "countRows": 30, "catalogueRows": 31, "objectsListed": 31,
                 "danglingReferences": {"total": 0, "resolved": 0, "unresolved": 0, "samples": []},
                 "countsTooLow": {"total": 0, "resolved": 0, "unresolved": 0, "samples": []},
                 "countsTooHigh": {"total": 0, "resolved": 0, "unresolved": 0, "samples": []},
                 "uncataloguedObjects": %s,
                 "missingObjects": {"total": 0, "resolved": 0, "unresolved": 0, "samples": []},
                 "unresolved": %d}""".formatted(compared, compared ? "\"2026-06-01T11:59:59Z\"" : "null",
                compared ? "null" : "\"the reference counter is behind\"", uncatalogued, unresolved));
    }

    private static final String NO_FINDINGS = """
            {"total": 0, "resolved": 0, "unresolved": 0, "samples": []}""";

    private static final String ONE_LEAK = """
            {"total": 1, "resolved": 0, "unresolved": 1, "samples": [
              {"chunkId": "%s", "expected": 0, "counted": 0, "catalogue": "none", "objectSize": 1234,
               "objectModified": "2026-05-30T08:00:00Z", "problem": "an object with no catalogue row; nothing holds it",
               "repair": "DELETE_OBJECT", "needsAttention": true, "resolved": false,
               "outcome": "--repair deletes the object (a leak older than the grace period)"}]}""".formatted("ab".repeat(32));

    @Test
    void withoutASubcommandOrWithAnUnknownOneOrOptionItIsAUsageError() {
        assertThat(run()).isEqualTo(AdminCommand.FAILED);
        assertThat(run("fsk")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("unknown admin command 'fsk'").contains("usage: cumulus admin fsck");
        assertThat(run("fsck", "--repiar")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("unknown option(s) [--repiar]");
        assertThat(run("fsck", "--port=http")).isEqualTo(AdminCommand.FAILED);
    }

    @Test
    void withoutAnAdminTokenItFailsBeforeCallingAnyone() {
        assertThat(run("fsck")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("no admin token at " + dataDir.resolve("admin-token"));
    }

    @Test
    void whenNoServerAnswersItFailsAsUnableToCheck() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertThat(run("fsck", "--repair", "--admin-token=" + TOKEN, "--port=" + port)).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("no server answers on port " + port);
    }

    @Test
    void aReportWithNothingToDoExitsZero() {
        JsonNode clean = report(true, 0, NO_FINDINGS);
        assertThat(AdminCommand.exitCode(clean)).isEqualTo(AdminCommand.CLEAN);
        assertThat(AdminCommand.summary(clean)).contains("counts compared").contains("result: nothing needs attention")
                .contains("read 12 files, 30 chunks held, 30 counts, 31 catalogue rows, 31 objects");
    }

    @Test
    void aReportWithFindingsLeftExitsOneAndShowsEachKindAndItsSamples() {
        JsonNode leak = report(true, 1, ONE_LEAK);
        assertThat(AdminCommand.exitCode(leak)).isEqualTo(AdminCommand.FINDINGS);
        assertThat(AdminCommand.summary(leak))
                .contains("dangling references    0")
                .contains("uncatalogued objects   1  (0 resolved, 1 need attention)")
                .contains("ab".repeat(32) + ": an object with no catalogue row; nothing holds it")
                .contains("object 1234 bytes written 2026-05-30T08:00:00Z")
                .contains("-> --repair deletes the object")
                .contains("result: 1 finding(s) need attention; ./cumulus admin fsck --repair");
    }

    @Test
    void aReportWhoseCountsWereNotComparedExitsOneAndSaysWhy() {
        JsonNode behind = report(false, 0, NO_FINDINGS);
        assertThat(AdminCommand.exitCode(behind)).isEqualTo(AdminCommand.FINDINGS);
        assertThat(AdminCommand.summary(behind)).contains("counts NOT compared, and nothing deleted: the reference counter is behind")
                .contains("result: the counts could not be checked");
    }
}
