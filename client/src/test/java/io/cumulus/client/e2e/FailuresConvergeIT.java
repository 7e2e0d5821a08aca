package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cumulus.client.cli.ClientMain;

/**
 * The folders converge whatever fails: the server stopped while devices edit, the server restarted
 * in the middle of a sync, a client killed in the middle of an upload.
 */
class FailuresConvergeIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void editsMadeWhileTheServerIsDownConvergeOnceItIsBack() throws IOException {
        // given two synced devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("a.txt", "one\n");
        laptop.syncInSync();
        phone.syncInSync();

        // when the server is down, both devices edit, and their syncs cannot finish
        server.stop();
        try {
            laptop.write("a.txt", "one, edited offline\n");
            laptop.write("offline/new.txt", "written while the server was down\n");
            phone.write("from-phone.txt", "the phone, offline\n");
            assertThat(laptop.syncOnce()).isEqualTo(4);
        } finally {
            server.startAgain();
        }
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();

        // then both hold every edit
        assertThat(phone.tree()).isEqualTo(laptop.tree())
                .containsOnlyKeys("a.txt", "offline/new.txt", "from-phone.txt");
        assertThat(Files.readString(phone.file("a.txt"))).isEqualTo("one, edited offline\n");
    }

    @Test
    void aClientKilledInTheMiddleOfAnUploadResumesWithoutSendingAnyChunkTwice() throws Exception {
        // given a device about to upload a large file, in a process of its own
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("big/archive.bin", FoldersConvergeIT.bytes(160 * 1024 * 1024, 11));
        ListAppender<ILoggingEvent> uploads = recordChunkUploads();

        // when it is killed (SIGKILL) once some chunks are stored, then started again
        Process first = clientProcess(laptop);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> chunkUploads(uploads).size() >= 5 || !first.isAlive());
            assertThat(first.isAlive()).as("the first client was still uploading").isTrue();
        } finally {
            first.destroyForcibly().waitFor();
        }
        laptop.syncInSync();
        phone.syncInSync();

        // then the phone has the file, and no chunk was uploaded twice
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("big/archive.bin");
        Map<String, Long> perChunk = chunkUploads(uploads).stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(perChunk).isNotEmpty();
        assertThat(perChunk.values()).allMatch(n -> n == 1);
    }

    @Test
    void aServerRestartedInTheMiddleOfASyncConverges() throws Exception {
        // given a device with many files to send, syncing in a process of its own
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        for (int i = 0; i < 1_500; i++) {
            laptop.write("docs/" + (i % 10) + "/note-" + i + ".txt", ("note " + i + "\n").repeat(1 + i % 30));
        }
        ListAppender<ILoggingEvent> uploads = recordChunkUploads();
        Process syncing = clientProcess(laptop);

        // when the server restarts while the device is uploading
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> chunkUploads(uploads).size() >= 50 || !syncing.isAlive());
            assertThat(syncing.isAlive()).as("the client was still syncing when the server stopped").isTrue();
            server.stop();
            server.startAgain();
            syncing.waitFor();
        } finally {
            syncing.destroyForcibly().waitFor();
        }
        laptop.syncInSync();
        phone.syncInSync();

        // then both devices hold every file
        assertThat(laptop.tree()).hasSize(1_500);
        assertThat(phone.tree()).isEqualTo(laptop.tree());
    }

    @Test
    void filesThatCannotBeReadAreReportedAndTheRestIsSynced() throws Exception {
        // given a folder with a readable file, an unreadable file and an unreadable folder
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("ok.txt", "readable\n");
        laptop.write("private/secret.txt", "not for the client\n");
        laptop.write("locked/inside.txt", "behind a locked folder\n");
        Files.setPosixFilePermissions(laptop.file("private/secret.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(laptop.file("locked"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));

        // when the client, running without the power to read them, syncs and is asked its status
        Process sync = unprivileged(laptop, "sync", laptop.folder().toString(), "--once");
        int synced = sync.waitFor();
        Process status = unprivileged(laptop, "status", laptop.folder().toString(), "--json");
        status.waitFor();
        String report = laptop.output();
        phone.syncInSync();

        // then the readable file reached the other device, and both others are reported, not fatal
        assertThat(synced).as(report).isZero();
        assertThat(phone.tree()).containsOnlyKeys("ok.txt");
        assertThat(report).contains("private/secret.txt (not sent: permission denied)").contains("locked (not sent: permission denied)")
                .contains("{\"path\":\"private/secret.txt\",\"side\":\"to-server\",\"reason\":\"permission denied\"");
    }

    /**
     * A client command in a new JVM that cannot read what its owner cannot: run as root, it runs
     * in a user namespace where it is an ordinary user (root reads every file).
     */
    private static Process unprivileged(Device device, String... args) {
        List<String> command = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "--user", "--map-user=1000", "--map-group=1000"));
        }
        command.addAll(device.command(args));
        return device.start(command);
    }

    /** {@code cumulus sync --once} for the device, in a new JVM on this test's class path. */
    private static Process clientProcess(Device device) {
        return device.start(device.command("sync", device.folder().toString(), "--once"));
    }

    /** Records the server's log of every chunk upload (first and repeated); attached after each server start. */
    private static ListAppender<ILoggingEvent> recordChunkUploads() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.cumulus.ingest.chunks.ChunkController");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static List<String> chunkUploads(ListAppender<ILoggingEvent> appender) {
        synchronized (appender) { // appends hold the appender's lock
            return appender.list.stream()
                    .filter(e -> e.getMessage().startsWith("chunk stored") || e.getMessage().startsWith("chunk uploaded again"))
                    .map(e -> String.valueOf(e.getArgumentArray()[0]))
                    .toList();
        }
    }
}
