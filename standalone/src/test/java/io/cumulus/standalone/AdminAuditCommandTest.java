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

/** {@code cumulus admin audit verify}: its usage errors, its failure without a server, and the lines and exit code of a report. */
class AdminAuditCommandTest {
    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AdminCommand.run(List.of(args), Map.of("CUMULUS_DATA_DIR", dataDir.toString()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode report(String json) {
        return JsonMapper.builder().build().readTree(json);
    }

    @Test
    void withoutVerifyOrWithABadOptionItIsAUsageError() {
        assertThat(run("audit")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("admin audit needs a command (verify)").contains("usage: cumulus admin audit verify");
        assertThat(run("audit", "check")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("unknown admin audit command 'check'");
        assertThat(run("audit", "verify", "--user")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("--user needs a username");
        assertThat(run("audit", "verify", "--usr=alice")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("unknown option(s) [--usr=alice]");
    }

    @Test
    void withoutAnAdminTokenOrAServerItFails() throws IOException {
        assertThat(run("audit", "verify")).isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("no admin token at " + dataDir.resolve("admin-token"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertThat(run("audit", "verify", "--user", "alice", "--admin-token=an-admin-token-of-enough-length", "--port=" + port))
                .isEqualTo(AdminCommand.FAILED);
        assertThat(errors()).contains("no server answers on port " + port);
    }

    @Test
    void anIntactReportExitsZeroWithALinePerAccount() {
        JsonNode intact = report("""
                {"intact": true, "accounts": 2, "tampered": 0, "results": [
                  {"accountId": "a", "username": "alice", "checked": 12, "intact": true},
                  {"accountId": "b", "username": "bob", "checked": 0, "intact": true}]}""");

        assertThat(AdminAuditCommand.exitCode(intact)).isEqualTo(AdminCommand.CLEAN);
        assertThat(AdminAuditCommand.summary(intact)).contains("alice").contains("12 entries  intact")
                .contains("bob").contains("result: every chain is intact (2 accounts)");
    }

    @Test
    void aTamperedReportExitsOneNamingTheFirstBadEntry() {
        JsonNode tampered = report("""
                {"intact": false, "accounts": 2, "tampered": 1, "results": [
                  {"accountId": "a", "username": "alice", "checked": 2, "intact": false, "firstBadSeq": 3,
                   "problem": "gap", "detail": "entry 3 is missing (the next stored entry is 4): it was removed"},
                  {"accountId": "c", "username": null, "checked": 1, "intact": true}]}""");

        assertThat(AdminAuditCommand.exitCode(tampered)).isEqualTo(AdminCommand.FINDINGS);
        assertThat(AdminAuditCommand.summary(tampered))
                .contains("alice").contains("TAMPERED at entry 3 (gap): entry 3 is missing")
                .contains("(no account) c")
                .contains("result: 1 of 2 chains tampered with");
    }
}
