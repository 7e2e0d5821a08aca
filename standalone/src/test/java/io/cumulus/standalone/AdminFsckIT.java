package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cumulus.sync.hash.Sha256;

/**
 * {@code cumulus admin fsck} against the running standalone server: the command finds the server and
 * its admin token from the data directory, and prints the server's real report.
 */
class AdminFsckIT {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run fsck(String... extra) {
        StandaloneServer server = RunningCumulus.get();
        List<String> args = new ArrayList<>(List.of("fsck", "--data-dir=" + server.dataDir(), "--port=" + server.httpPort()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AdminCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCommandPrintsTheServersReportAndALeakedObjectInIt() throws Exception {
        // given an object in the server's blob directory that nothing catalogues, written two days ago
        byte[] bytes = ("leaked " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        String id = Sha256.hex(bytes);
        Path object = RunningCumulus.get().dataDir().resolve("blobs").resolve(id.substring(0, 2)).resolve(id.substring(2, 4))
                .resolve(id);
        Files.createDirectories(object.getParent());
        Files.write(object, bytes);
        Files.setLastModifiedTime(object, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

        // when the operator checks
        Run check = fsck();

        // then the report lists it, and the command says something needs attention
        assertThat(check.exitCode()).as(check.err()).isEqualTo(AdminCommand.FINDINGS);
        assertThat(check.out()).contains("fsck (check only), grace period PT24H").contains("uncatalogued objects")
                .contains(id + ": an object with no catalogue row; nothing holds it");
        assertThat(object).exists();

        // when the operator repairs, then the leak is deleted exactly when the counts could be checked
        // (the counter must have caught up; fsck deletes nothing otherwise)
        Run repair = fsck("--repair");
        assertThat(repair.exitCode()).as(repair.err()).isNotEqualTo(AdminCommand.FAILED);
        assertThat(repair.out()).contains("fsck with repairs");
        assertThat(Files.exists(object)).as(repair.out()).isEqualTo(!repair.out().contains("  counts compared"));
    }

    @Test
    void aWrongAdminTokenIsRefusedByTheServer() {
        Run refused = fsck("--admin-token=" + "not-the-servers-token-at-all");
        assertThat(refused.exitCode()).isEqualTo(AdminCommand.FAILED);
        assertThat(refused.err()).contains("the server refused (401)");
    }
}
