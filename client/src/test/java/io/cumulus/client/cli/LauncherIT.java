package io.cumulus.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The {@code cumulus} launcher at the repository's root reaches every command of both jars (built in
 * the package phase, before this runs): each answers {@code --help} with exit 0 and its own usage.
 */
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private record Run(int exit, String output) {
    }

    @Test
    void everyClientCommandIsDispatchedToTheClient() throws Exception {
        for (List<String> path : ClientHelpTest.commandPaths()) {
            if (path.isEmpty()) {
                continue; // bare --help is the launcher's own usage, below
            }
            List<String> args = new ArrayList<>(path);
            args.add("--help");

            Run run = launch(args);

            assertThat(run.exit()).as("%s: %s", args, run.output()).isZero();
            assertThat(run.output()).as(args.toString()).contains("Usage: cumulus " + String.join(" ", path));
        }
    }

    @Test
    void everyServerCommandAnswersHelp() throws Exception {
        for (List<String> args : List.of(List.of("serve", "--help"), List.of("account", "--help"),
                List.of("account", "create", "--help"), List.of("admin", "--help"), List.of("admin", "fsck", "--help"), List.of("admin", "audit", "verify", "--help"),
                List.of("--port=9000", "--help"))) {
            Run run = launch(args);

            assertThat(run.exit()).as("%s: %s", args, run.output()).isZero();
            assertThat(run.output()).as(args.toString()).contains("usage: cumulus");
        }
        Run launcher = launch(List.of("--help"));
        assertThat(launcher.exit()).isZero();
        assertThat(launcher.output()).contains("./cumulus resolve");
    }

    @Test
    void aClassDataArchiveThatIsNoArchiveIsRemovedAndOnlyASuccessfulRunWritesOne() throws Exception {
        // given garbage where the launcher keeps `trash`'s class-data sharing archive, and no archive for `devices`
        Path target = ROOT.resolve("client/target");
        String jdk = launcherJdkFeatureVersion();
        String kind = Integer.parseInt(jdk) >= 25 ? ".aot" : ".jsa"; // an AOT cache from JDK 25 on, else a dynamic archive
        Path trashArchive = target.resolve("cumulus-client-trash-jdk" + jdk + kind);
        Path devicesArchive = target.resolve("cumulus-client-devices-jdk" + jdk + kind);
        Files.writeString(trashArchive, "not an archive");
        Files.deleteIfExists(devicesArchive);
        Path noDevice = Files.createTempDirectory("launcher-no-device-");

        // when a command fails (not logged in) and another only shows its help
        Run failed = launch(List.of("trash", "--config-dir=" + noDevice));
        Run help = launch(List.of("devices", "--help"));

        // then both ran as without an archive, the garbage is gone, and neither wrote one
        assertThat(failed.exit()).as(failed.output()).isEqualTo(ClientMain.NOT_LOGGED_IN);
        assertThat(failed.output()).contains("this device is not registered").doesNotContainIgnoringCase("warning");
        assertThat(help.exit()).isZero();
        assertThat(trashArchive).doesNotExist();
        assertThat(devicesArchive).doesNotExist();
    }

    /** The feature version of the JDK the launcher runs ("25"). */
    private static String launcherJdkFeatureVersion() throws Exception {
        Run version = launch(List.of("java", "-version"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version \"(\\d+)").matcher(version.output());
        assertThat(m.find()).as(version.output()).isTrue();
        return m.group(1);
    }

    private static Run launch(List<String> args) throws IOException, InterruptedException {
        Path script = ROOT.resolve("cumulus");
        assertThat(script).as("the launcher at the repository's root").isRegularFile();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        Path output = Files.createTempFile("launcher-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            // Run the jars this build made; never start a nested build from inside the test.
            builder.environment().put("CUMULUS_NO_BUILD", "1");
            Process process = builder.start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(args + " did not finish: " + Files.readString(output));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
