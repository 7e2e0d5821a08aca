package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Remote.Change;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/**
 * Each way a device used to be stranded, or to write outside its folder, repeated with real
 * clients and a real server: every device exits 0, converges, and keeps every byte.
 */
class NoDeviceStrandedIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void aLocalSymbolicLinkNeverLetsADownloadOutOfTheFolder() throws IOException {
        // given a phone whose folder has a symbolic link 'linkdir' to a folder elsewhere
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Path elsewhere = Files.createDirectories(phone.folder().resolveSibling("elsewhere"));
        Files.createDirectories(phone.folder());
        Files.createSymbolicLink(phone.file("linkdir"), elsewhere);

        // when the laptop creates linkdir/x.txt and both sync, twice
        laptop.write("linkdir/x.txt", "the laptop's file\n");
        laptop.write("plain.txt", "an ordinary file\n");
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();

        // then nothing was written through the link, the phone says what it skipped, and the laptop keeps its file
        try (Stream<Path> there = Files.list(elsewhere)) {
            assertThat(there).isEmpty();
        }
        assertThat(phone.output()).contains("skipped linkdir/x.txt").doesNotContain("sent deletion");
        assertThat(Files.readString(phone.file("plain.txt"))).isEqualTo("an ordinary file\n");
        assertThat(Files.readString(laptop.file("linkdir/x.txt"))).isEqualTo("the laptop's file\n");
    }

    @Test
    void aFileAndAFolderWithOneNameMadeOfflineConvergeWithEverything() throws IOException {
        // given a laptop that syncs a file 'report' while a phone, offline, makes a folder 'report/' with files
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("report", "the laptop's report\n");
        laptop.syncInSync();
        phone.write("report/intro.txt", "the phone's intro\n");
        phone.write("report/body.txt", "the phone's body\n");
        phone.write("elsewhere.txt", "an unrelated edit\n");

        // when both sync, in turn
        phone.syncInSync();
        laptop.syncInSync();
        phone.syncInSync();

        // then both have the same tree, with every file's content, and the unrelated edit left the phone
        assertThat(phone.tree()).isEqualTo(laptop.tree());
        assertThat(laptop.tree()).containsKey("report").containsKey("elsewhere.txt").hasSize(4);
        assertThat(contents(laptop)).contains("the laptop's report\n", "the phone's intro\n", "the phone's body\n");
        assertThat(phone.output()).doesNotContain("Is a directory");
    }

    @Test
    void aFileUnderAFileSentThroughTheApiStrandsNoDevice() throws IOException {
        // given a file 'x' and then a file 'x/y', posted through the API
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.syncInSync();
        Api api = Api.of(laptop);
        api.upsert("x", "a file named x\n");
        api.upsert("x/y", "a file under x\n");

        // when both devices sync
        phone.syncInSync();
        laptop.syncInSync();

        // then both converge with both files, wherever the server put the second
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(2).containsKey("x");
        assertThat(contents(phone)).contains("a file named x\n", "a file under x\n");
    }

    @Test
    void twoDevicesCreatingTheSameLongNameOfflineConvergeAndANewDeviceGetsBoth() throws IOException {
        // given a name of 246 bytes (multi-byte characters at the end) created on two devices offline
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        String name = "l".repeat(236) + "ééééé";
        assertThat((name + ".txt").getBytes(StandardCharsets.UTF_8)).hasSize(250);
        laptop.write(name + ".txt", "the laptop's\n");
        phone.write(name + ".txt", "the phone's\n");

        // when both sync, and then a new device
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();
        Device tablet = Device.login(server, user, "Tablet");
        tablet.syncInSync();

        // then all three hold both versions under names a disk takes
        assertThat(laptop.tree()).hasSize(2).isEqualTo(phone.tree()).isEqualTo(tablet.tree());
        assertThat(laptop.tree().keySet()).allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255));
        assertThat(contents(tablet)).containsExactlyInAnyOrder("the laptop's\n", "the phone's\n");
    }

    @Test
    void aVectorThatClaimsAnotherDevicesFutureIsRefusedAndThatDeviceKeepsSyncing() throws IOException {
        // given a phone that synced a file
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        phone.write("mine.txt", "the phone's\n");
        phone.syncInSync();
        laptop.syncInSync();
        Api api = Api.of(laptop);
        String phoneId = DeviceConfig.load(phone.configDir()).orElseThrow().deviceId();

        // when the laptop sends vectors with the phone at 2^63-1, or naming no device of the account
        for (Map<String, Long> vector : List.of(Map.of(phoneId, Long.MAX_VALUE), Map.of(UUID.randomUUID().toString(), 1L),
                Map.of("not a device", 1L), Map.of(api.deviceId, 1L, phoneId, 5L))) {
            assertThatThrownBy(() -> api.upsert("poisoned.txt", "x", VersionVector.of(vector)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.problemType()).endsWith("invalid-vector");
                    });
        }

        // then the phone's later edits still go out, and every device converges
        phone.write("mine.txt", "the phone's, edited\n");
        phone.syncInSync();
        laptop.syncInSync();
        assertThat(Files.readString(laptop.file("mine.txt"))).isEqualTo("the phone's, edited\n");
        assertThat(laptop.tree()).doesNotContainKey("poisoned.txt");
    }

    @Test
    void theClientsOwnNamesAreRefusedByTheServer() throws IOException {
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        laptop.syncInSync();
        Api api = Api.of(laptop);
        for (String path : List.of(".cumulus/state.db", "x/.cumulus/y", "x/.Cumulus/y", "dir/.cumulus-tmp-1234")) {
            assertThatThrownBy(() -> api.upsert(path, "x")).as(path).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.problemType()).endsWith("invalid-path");
            });
        }
    }

    @Test
    void undeletingTheOnlyFileOfAFolderLeavesNothingPending() throws IOException {
        // given the README's steps: a folder with one file, synced, the file deleted and synced, then undeleted
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        laptop.write("notes/readme.txt", "synced by cumulus\n");
        laptop.syncInSync();
        Files.delete(laptop.file("notes/readme.txt"));
        laptop.syncInSync();
        assertThat(laptop.run("undelete", laptop.file("notes/readme.txt").toString())).as(laptop.output()).isZero();
        laptop.syncInSync();

        // when status is asked
        Files.deleteIfExists(laptop.log());
        assertThat(laptop.run("status", laptop.folder().toString(), "--json")).isZero();

        // then nothing is waiting
        assertThat(laptop.output()).contains("\"pendingUploads\":[]");
        assertThat(Files.readString(laptop.file("notes/readme.txt"))).isEqualTo("synced by cumulus\n");
    }

    @Test
    void aCleanMergeNeverShowsACopyAndADeviceBehindGetsOnlyTheLatestVersion() throws Exception {
        // given a text file on two devices, and a third that synced it once and then stays away
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Device tablet = Device.login(server, user, "Tablet");
        laptop.write("notes.txt", "one\ntwo\nthree\nfour\nfive\n");
        laptop.syncInSync();
        phone.syncInSync();
        tablet.syncInSync();

        // when both edit different lines offline and sync, until the server's merge reached them
        laptop.write("notes.txt", "ONE\ntwo\nthree\nfour\nfive\n");
        phone.write("notes.txt", "one\ntwo\nthree\nfour\nFIVE\n");
        laptop.syncInSync();
        phone.syncInSync();
        String merged = "ONE\ntwo\nthree\nfour\nFIVE\n";
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            laptop.syncInSync();
            phone.syncInSync();
            return Files.readString(laptop.file("notes.txt")).equals(merged) && Files.readString(phone.file("notes.txt")).equals(merged);
        });
        // and the laptop writes two more versions before the tablet comes back
        laptop.write("notes.txt", merged + "six\n");
        laptop.syncInSync();
        laptop.write("notes.txt", merged + "six\nseven\n");
        laptop.syncInSync();
        Files.deleteIfExists(tablet.log());
        tablet.syncInSync();

        // then no device ever held a conflicted copy, and the tablet downloaded the file once, at its latest
        for (Device d : List.of(laptop, phone, tablet)) {
            assertThat(d.output()).as(d.name()).doesNotContain("conflicted copy");
            assertThat(d.tree()).hasSize(1);
        }
        assertThat(tablet.output().lines().filter(l -> l.contains("downloaded notes.txt"))).hasSize(1);
        assertThat(Files.readString(tablet.file("notes.txt"))).isEqualTo(merged + "six\nseven\n");
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> contents(Device d) throws IOException {
        try (Stream<Path> files = Files.walk(d.folder())) {
            return files.filter(Files::isRegularFile).filter(p -> !d.folder().relativize(p).toString().startsWith(".cumulus"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
        }
    }

    /** The API as a device's own token reaches it, for what no client would send. */
    private record Api(ServerApi api, String namespace, String deviceId) {
        static Api of(Device d) {
            DeviceConfig c = DeviceConfig.load(d.configDir()).orElseThrow();
            return new Api(ServerApi.device(c.server(), c.token()), c.homeNamespace(), c.deviceId());
        }

        void upsert(String path, String content) {
            upsert(path, content, VersionVector.empty().increment(deviceId));
        }

        void upsert(String path, String content, VersionVector vector) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            ChunkRef ref = ChunkRef.of(Sha256.hex(bytes), bytes.length);
            api.putChunk(ref.id(), bytes);
            Manifest manifest = new Manifest(List.of(ref));
            String batch = api.submit(namespace, UUID.randomUUID().toString(),
                    List.of(new Change(UUID.randomUUID().toString(), path, false, vector, manifest)));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> api.batch(batch).done());
        }
    }
}
