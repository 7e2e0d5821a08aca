package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void theTokenTheServerWroteIntoItsDataDirectoryIsUsed() throws IOException {
        Files.writeString(dataDir.resolve("admin-token"), "written-by-the-server\n");

        Optional<AdminServer> server = AdminServer.locate(settings("--port=18080"), printer());

        assertThat(server).contains(new AdminServer("http://127.0.0.1:18080", "written-by-the-server"));
    }

    @Test
    void aGivenTokenWinsOverTheFile() throws IOException {
        Files.writeString(dataDir.resolve("admin-token"), "written-by-the-server");

        Optional<AdminServer> server = AdminServer.locate(settings("--admin-token=given-on-the-command-line-0123"), printer());

        assertThat(server).map(AdminServer::token).contains("given-on-the-command-line-0123");
    }

    @Test
    void withoutATokenItSaysHowToGetOne() throws IOException {
        Optional<AdminServer> server = AdminServer.locate(settings(), printer());

        assertThat(server).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no admin token at " + dataDir.resolve("admin-token"))
                .contains("start the server first");
    }

    private StandaloneSettings settings(String... options) {
        List<String> all = new java.util.ArrayList<>(List.of("--data-dir=" + dataDir));
        all.addAll(List.of(options));
        return StandaloneSettings.from(all, Map.of());
    }

    private PrintStream printer() {
        return new PrintStream(err, true, StandardCharsets.UTF_8);
    }
}
