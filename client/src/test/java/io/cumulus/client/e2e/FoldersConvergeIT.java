package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real folders on several devices, each driven through the {@code cumulus} CLI against a standalone
 * server: whatever is done on one, every other ends with the same files and the same bytes.
 */
class FoldersConvergeIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void createModifyDeleteRenameAndMoveConvergeOnThreeDevices() throws IOException {
        // given three devices of one account, with files created on the first
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Device tablet = Device.login(server, user, "Tablet");
        laptop.write("notes/todo.txt", "buy milk\n");
        laptop.write("notes/deep/er/plan.md", "# plan\n");
        laptop.write("photos/cat.jpg", bytes(300_000, 1));
        laptop.write("empty.txt", new byte[0]);
        laptop.syncInSync();
        phone.syncInSync();
        tablet.syncInSync();
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(4);

        // when the phone modifies, renames, moves and deletes, and the tablet adds a file
        phone.write("notes/todo.txt", "buy milk\nand bread\n");
        Files.move(phone.file("notes/deep/er/plan.md"), phone.file("notes/plan-v2.md"));
        Files.createDirectories(phone.file("archive"));
        Files.move(phone.file("photos/cat.jpg"), phone.file("archive/cat.jpg"));
        Files.delete(phone.file("empty.txt"));
        tablet.write("from-tablet.txt", "hello from the tablet\n");
        phone.syncInSync();
        tablet.syncInSync();
        laptop.syncInSync();
        phone.syncInSync();

        // then all three hold the same files with the same bytes
        Map<String, String> expected = laptop.tree();
        assertThat(expected).containsOnlyKeys("notes/todo.txt", "notes/plan-v2.md", "archive/cat.jpg", "from-tablet.txt");
        assertThat(phone.tree()).isEqualTo(expected);
        assertThat(tablet.tree()).isEqualTo(expected);
        assertThat(Files.readString(tablet.file("notes/todo.txt"))).isEqualTo("buy milk\nand bread\n");
    }

    @Test
    void emptyFoldersAreCreatedRenamedAndRemovedOnEveryDevice() throws IOException {
        // given empty folders, and a folder holding a file, on one device
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Files.createDirectories(laptop.file("empty/one"));
        Files.createDirectories(laptop.file("projects/new/inner"));
        laptop.write("projects/readme.txt", "projects\n");
        laptop.syncInSync();
        phone.syncInSync();
        assertThat(phone.folders()).isEqualTo(laptop.folders())
                .containsExactly("empty", "empty/one", "projects", "projects/new", "projects/new/inner");

        // when one empty folder is removed, another renamed, and a folder emptied of its only file
        Files.delete(laptop.file("empty/one"));
        Files.move(laptop.file("projects/new"), laptop.file("projects/renamed"));
        Files.delete(laptop.file("projects/readme.txt"));
        laptop.syncInSync();
        phone.syncInSync();

        // then the other device has the same folders, and no file
        assertThat(laptop.folders()).containsExactly("empty", "projects", "projects/renamed", "projects/renamed/inner");
        assertThat(phone.folders()).isEqualTo(laptop.folders());
        assertThat(phone.tree()).isEmpty();
    }

    @Test
    void aRenameKeepsTheFileIdEvenWhenTheInodeChanged() throws IOException {
        // given a synced file
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("drafts/report.pdf", bytes(50_000, 3));
        laptop.syncInSync();
        phone.syncInSync();
        String fileId = fileIdOf(laptop, "drafts/report.pdf");

        // when it is copied to a new name (a new inode) and the original deleted, as some editors save
        Files.createDirectories(laptop.file("final"));
        Files.copy(laptop.file("drafts/report.pdf"), laptop.file("final/report-v1.pdf"));
        Files.delete(laptop.file("drafts/report.pdf"));
        laptop.syncInSync();
        phone.syncInSync();

        // then both devices know it as the same file under its new name
        assertThat(fileIdOf(laptop, "final/report-v1.pdf")).isEqualTo(fileId);
        assertThat(fileIdOf(phone, "final/report-v1.pdf")).isEqualTo(fileId);
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("final/report-v1.pdf");
    }

    private static String fileIdOf(Device d, String path) {
        try (io.cumulus.client.state.LocalState state = io.cumulus.client.state.LocalState.open(d.folder())) {
            return state.files().get(path).fileId();
        }
    }

    @Test
    void aWatchingDeviceReceivesPushedEditsAndSendsItsOwnWithoutBeingAsked() throws Exception {
        // given a device running `cumulus sync` (watching) and another that syncs by hand
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Process watching = phone.startWatching();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> phone.output().contains("syncing "));

            // when the laptop sends an edit, and a file is written into the watched folder
            laptop.write("inbox/from-laptop.txt", "pushed\n");
            laptop.syncInSync();
            await().atMost(Duration.ofSeconds(30)).until(() -> phone.tree().containsKey("inbox/from-laptop.txt"));
            phone.write("outbox/from-phone.txt", "noticed by the watcher\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> phone.output().contains("sent outbox/from-phone.txt"));
        } finally {
            watching.destroy();
            watching.waitFor();
        }
        laptop.syncInSync();

        // then the push brought the laptop's edit, and the watcher sent the phone's without a command
        assertThat(Files.readString(phone.file("inbox/from-laptop.txt"))).isEqualTo("pushed\n");
        assertThat(laptop.tree()).isEqualTo(phone.tree()).hasSize(2);
    }

    @Test
    void anOldVersionIsRestoredAndADeletedFileUndeletedOnEveryDevice() throws IOException {
        // given a file with two versions, synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("essay.txt", "first version\n");
        laptop.syncInSync();
        laptop.write("essay.txt", "second version\n");
        laptop.syncInSync();
        phone.syncInSync();

        // when the laptop lists the versions and restores the first
        int before = laptop.output().length();
        assertThat(laptop.run("versions", laptop.file("essay.txt").toString())).isZero();
        List<String> rows = laptop.output().substring(before).lines().filter(l -> l.matches("^\\d+\\s.*")).toList();
        assertThat(rows).hasSize(2);
        String first = rows.getLast().split("\\s+")[0];
        assertThat(rows.getLast()).contains("Laptop");
        before = laptop.output().length();
        assertThat(laptop.run("restore", laptop.file("essay.txt").toString(), "--version", "999999")).isEqualTo(1);
        assertThat(laptop.output().substring(before)).contains("unknown-version");
        assertThat(laptop.run("restore", laptop.file("essay.txt").toString(), "--version", first)).isZero();
        phone.syncInSync();

        // then both devices hold the first version again, and the history has three versions
        assertThat(Files.readString(laptop.file("essay.txt"))).isEqualTo("first version\n");
        assertThat(Files.readString(phone.file("essay.txt"))).isEqualTo("first version\n");

        // when the phone deletes it, and the laptop finds it in the trash and undeletes it
        Files.delete(phone.file("essay.txt"));
        phone.syncInSync();
        laptop.syncInSync();
        assertThat(laptop.file("essay.txt")).doesNotExist();
        before = laptop.output().length();
        assertThat(laptop.run("trash")).isZero();
        assertThat(laptop.output().substring(before)).contains("essay.txt");
        assertThat(laptop.run("undelete", laptop.file("essay.txt").toString())).isZero();
        phone.syncInSync();

        // then it is back on both, with its last content
        assertThat(Files.readString(laptop.file("essay.txt"))).isEqualTo("first version\n");
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("essay.txt");
    }

    @Test
    void aFileRenamedOnOneDeviceAndEditedOnAnotherGetsBothTheNameAndTheEdit() throws IOException {
        // given a file synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("doc.txt", "original\n");
        laptop.syncInSync();
        phone.syncInSync();
        String fileId = fileIdOf(phone, "doc.txt");

        // when the phone renames it and puts a new file at the old name, while the laptop edits it
        Files.move(phone.file("doc.txt"), phone.file("renamed.txt"));
        phone.write("doc.txt", "a new file at the old name\n");
        phone.syncInSync();
        laptop.write("doc.txt", "edited on the laptop\n");
        laptop.syncInSync();
        phone.syncInSync();

        // then both changes apply on both devices: the renamed file has the edit, the new file its own name
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("doc.txt", "renamed.txt");
        assertThat(Files.readString(laptop.file("renamed.txt"))).isEqualTo("edited on the laptop\n");
        assertThat(Files.readString(laptop.file("doc.txt"))).isEqualTo("a new file at the old name\n");
        // and the renamed file kept its identity: a new file took its old name, not its id
        assertThat(fileIdOf(laptop, "renamed.txt")).isEqualTo(fileId);
        assertThat(fileIdOf(phone, "renamed.txt")).isEqualTo(fileId);
        // and the original content is still in its history
        int before = laptop.output().length();
        assertThat(laptop.run("versions", laptop.file("renamed.txt").toString())).isZero();
        assertThat(laptop.output().substring(before).lines().filter(l -> l.matches("^\\d+\\s.*"))).hasSize(3);
    }

    @Test
    void aFileDeletedOnOneDeviceAndEditedOnAnotherComesBackWithTheEdit() throws IOException {
        // given a file synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("plans/trip.txt", "day 1: museum\n");
        laptop.syncInSync();
        phone.syncInSync();

        // when the laptop deletes its folder while the phone edits the file, the delete reaching the server first
        Files.delete(laptop.file("plans/trip.txt"));
        Files.delete(laptop.file("plans"));
        laptop.syncInSync();
        phone.write("plans/trip.txt", "day 1: museum\nday 2: beach\n");
        phone.syncInSync();
        laptop.syncInSync();

        // then the edit survives on both devices, in its folder
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("plans/trip.txt");
        assertThat(Files.readString(laptop.file("plans/trip.txt"))).isEqualTo("day 1: museum\nday 2: beach\n");

        // when, the other way round, the phone deletes it while the laptop edits it, the edit reaching the server first
        laptop.write("plans/trip.txt", "day 1: museum\nday 2: hike\n");
        laptop.syncInSync();
        Files.delete(phone.file("plans/trip.txt"));
        phone.syncInSync();
        laptop.syncInSync();

        // then the delete is refused and the edit comes back to the phone
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("plans/trip.txt");
        assertThat(Files.readString(phone.file("plans/trip.txt"))).isEqualTo("day 1: museum\nday 2: hike\n");
    }

    @Test
    void aRemoteVersionPassedOverForALocalChangeStillArrives() throws IOException {
        // given a file synced to three devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        Device tablet = Device.login(server, user, "Tablet");
        laptop.write("a.txt", "the first file\n");
        laptop.syncInSync();
        phone.syncInSync();
        tablet.syncInSync();

        // when the laptop renames it, the phone puts a new file at the old name, and the tablet deletes its old copy
        Files.move(laptop.file("a.txt"), laptop.file("b.txt"));
        laptop.syncInSync();
        phone.syncInSync();
        phone.write("a.txt", "the second file\n");
        phone.syncInSync();
        Files.delete(tablet.file("a.txt"));
        tablet.syncInSync();
        laptop.syncInSync();
        phone.syncInSync();

        // then the renamed file, which the tablet passed over while its deletion was pending, reaches it too
        assertThat(tablet.tree()).isEqualTo(laptop.tree()).isEqualTo(phone.tree()).containsOnlyKeys("a.txt", "b.txt");
        assertThat(Files.readString(tablet.file("b.txt"))).isEqualTo("the first file\n");
    }

    @Test
    void aNewDeviceStartsFromTheCurrentFilesNotTheirHistory() throws IOException {
        // given a file with three versions and one deleted file, then a device that joins
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        for (int v = 1; v <= 3; v++) {
            laptop.write("draft.txt", "version " + v + "\n");
            laptop.syncInSync();
        }
        laptop.write("gone.txt", "deleted before the phone joined\n");
        laptop.syncInSync();
        Files.delete(laptop.file("gone.txt"));
        laptop.syncInSync();
        Device phone = Device.login(server, user, "Phone");

        // when it syncs for the first time, and again after a new edit
        phone.syncInSync();
        laptop.write("draft.txt", "version 4\n");
        laptop.syncInSync();
        phone.syncInSync();

        // then it downloaded the current version once, never the history, and follows the feed after it
        assertThat(phone.output().lines().filter(l -> l.contains("downloaded draft.txt"))).hasSize(2);
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("draft.txt");
        assertThat(Files.readString(phone.file("draft.txt"))).isEqualTo("version 4\n");
    }

    @Test
    void theSameFileEditedOnTwoDevicesKeepsBothVersionsOnEveryDevice() throws IOException {
        // given a file synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("report.txt", "first draft\n");
        laptop.syncInSync();
        phone.syncInSync();

        // when both edit it without syncing in between, then both sync
        laptop.write("report.txt", "laptop's version\n");
        phone.write("report.txt", "phone's version\n");
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();

        // then both versions are on both devices: one under the name, one as the phone's conflicted copy
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(2);
        String copy = laptop.tree().keySet().stream().filter(p -> !p.equals("report.txt")).findFirst().orElseThrow();
        assertThat(copy).startsWith("report (Phone's conflicted copy ").endsWith(").txt");
        assertThat(Files.readString(laptop.file("report.txt"))).isEqualTo("laptop's version\n");
        assertThat(Files.readString(laptop.file(copy))).isEqualTo("phone's version\n");

        // when the phone edits its copy
        phone.write(copy, "phone's version, edited\n");
        phone.syncInSync();
        laptop.syncInSync();

        // then the edit reaches the laptop like any other
        assertThat(Files.readString(laptop.file(copy))).isEqualTo("phone's version, edited\n");
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(2);
    }

    @Test
    void aFileCreatedOnTwoDevicesAtTheSamePathKeepsBoth() throws IOException {
        // given two devices that each create the same path with different content
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("shared/idea.txt", "the laptop's idea\n");
        phone.write("shared/idea.txt", "the phone's idea\n");

        // when both sync
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();

        // then both contents survive on both devices
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(2);
        assertThat(laptop.tree().keySet().stream().map(p -> readQuietly(laptop, p)))
                .containsExactlyInAnyOrder("the laptop's idea\n", "the phone's idea\n");
    }

    @Test
    void namesEqualUnderCaseFoldingOrUnicodeNormalisationNeverShareAFolder() {
        // given a case-sensitive device with names that differ only by case, and by NFC/NFD form
        String user = server.newAccount();
        Device linux = Device.login(server, user, "Linux");
        Device other = Device.login(server, user, "Other");
        linux.write("Notes.txt", "upper\n");
        linux.write("notes.txt", "lower\n");
        linux.write("caf\u00e9.txt", "composed\n");
        linux.write("cafe\u0301.txt", "decomposed\n");

        // when it syncs, and another device syncs
        linux.syncInSync();
        other.syncInSync();

        // then every content survives under names that stay distinct on case-insensitive,
        // normalising file systems, and both devices agree
        Map<String, String> tree = linux.tree();
        assertThat(tree).hasSize(4);
        assertThat(tree.keySet().stream().map(p -> java.text.Normalizer.normalize(p, java.text.Normalizer.Form.NFC)
                .toLowerCase(java.util.Locale.ROOT)).distinct()).hasSize(4);
        assertThat(tree.keySet()).anyMatch(p -> p.contains("conflicted copy"));
        assertThat(other.tree()).isEqualTo(tree);
    }

    @Test
    void statusReportsNamesOtherSystemsRejectAndKeepsSyncingThem() {
        // given a file whose name Windows rejects
        String user = server.newAccount();
        Device linux = Device.login(server, user, "Linux");
        Device other = Device.login(server, user, "Other");
        linux.write("plan: draft.txt", "kept as it is\n");
        linux.write("con.txt", "a reserved device name on Windows\n");

        // when it syncs and its status is asked
        linux.syncInSync();
        other.syncInSync();
        int before = linux.output().length();
        int code = linux.run("status", linux.folder().toString(), "--json");
        String status = linux.output().substring(before);

        // then both files are synced as they are, and the status names both as not portable
        assertThat(code).isZero();
        assertThat(other.tree()).isEqualTo(linux.tree()).containsOnlyKeys("plan: draft.txt", "con.txt");
        assertThat(status).contains("\"nonPortable\":[").contains("plan: draft.txt (").contains("con.txt (");
        assertThat(status).contains("\"pendingUploads\":[]");
    }

    @Test
    void aFileBeingWrittenDuringASyncConvergesOnceTheWriterStops() throws Exception {
        // given a file that another program keeps appending to
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("log/growing.txt", "start\n");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = Thread.ofPlatform().start(() -> {
            try (var out = Files.newOutputStream(laptop.file("log/growing.txt"), java.nio.file.StandardOpenOption.APPEND)) {
                for (int i = 0; writing.get(); i++) {
                    out.write(("line " + i + " " + "x".repeat(2_000) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(1); // a program writing a log, not a disk benchmark
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        // when the device syncs while the file grows, and again once the writer has stopped
        int whileWriting = laptop.syncOnce();
        writing.set(false);
        writer.join();
        laptop.syncInSync();
        phone.syncInSync();

        // then the first sync did not fail, and the phone has the file exactly as it ended
        assertThat(whileWriting).isIn(0, 4);
        assertThat(phone.tree()).isEqualTo(laptop.tree()).containsOnlyKeys("log/growing.txt");
    }

    @Test
    void manySmallFilesAndALargeOneConverge() {
        // given 2,000 small files and one of 200 MiB on one device
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        for (int i = 0; i < 2_000; i++) {
            laptop.write("small/" + (i % 20) + "/file-" + i + ".txt", ("file number " + i + "\n").repeat(1 + i % 50));
        }
        laptop.write("big/video.bin", bytes(200 * 1024 * 1024, 7));

        // when both sync
        laptop.syncInSync();
        phone.syncInSync();

        // then the phone has every file with the same bytes
        Map<String, String> expected = laptop.tree();
        assertThat(expected).hasSize(2_001);
        assertThat(phone.tree()).isEqualTo(expected);
    }

    private static String readQuietly(Device d, String path) {
        try {
            return Files.readString(d.file(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
