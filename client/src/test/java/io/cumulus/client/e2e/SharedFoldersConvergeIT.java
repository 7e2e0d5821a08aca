package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.cumulus.client.api.Remote;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.api.Shares;
import io.cumulus.client.cli.ClientMain;
import io.cumulus.client.config.DeviceConfig;

/**
 * Shared folders through real clients (decision 0030): a folder shared by one account appears in
 * every member's synced folder at the path each chose, editors' concurrent edits converge, a
 * viewer's edits stay on her disk, a removed member keeps their files, and sharing an existing
 * folder moves its files out of the home folder with nothing lost.
 */
class SharedFoldersConvergeIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void editorsEditConcurrentlyAndConvergeWhileAViewersEditsStayOnHerDiskAndAreNeverSent() throws IOException {
        // given alice's folder Family, shared with bob (editor, at Shared/Fam) and carol (viewer, at Family)
        Device alice = Device.login(server, server.newAccount(), "AliceLaptop");
        String bobName = server.newAccount();
        String carolName = server.newAccount();
        Device bob = Device.login(server, bobName, "BobLaptop");
        Device carol = Device.login(server, carolName, "CarolPhone");
        alice.write("Family/plan.txt", "the plan\n");
        alice.write("Family/list.txt", "eggs\n");
        alice.write("Family/photos/beach.jpg", bytes(200_000, 1));
        alice.write("private.txt", "mine alone\n");
        alice.syncInSync();
        String shareId = createShare(alice, "Family");
        alice.syncInSync();
        assertThat(cli(alice, "share", "invite", shareId, bobName, "--role", "editor")).isZero();
        assertThat(cli(alice, "share", "invite", shareId, carolName, "--role", "viewer")).isZero();
        bob.syncInSync();
        carol.syncInSync();
        assertThat(cli(bob, "share", "accept", shareId, "--at", bob.file("Shared/Fam").toString())).isZero();
        assertThat(cli(carol, "share", "accept", shareId, "--at", carol.file("Family").toString())).isZero();
        bob.syncInSync();
        carol.syncInSync();
        assertThat(under(bob.tree(), "Shared/Fam/")).isEqualTo(under(alice.tree(), "Family/")).hasSize(3);
        assertThat(under(carol.tree(), "Family/")).isEqualTo(under(alice.tree(), "Family/"));
        assertThat(bob.tree()).doesNotContainKey("private.txt");

        // when alice and bob edit different files and the same file at the same time
        alice.write("Family/list.txt", "eggs\nmilk\n");
        alice.write("Family/photos/beach.jpg", bytes(200_000, 2));
        bob.write("Shared/Fam/photos/beach.jpg", bytes(200_000, 3));
        bob.write("Shared/Fam/from-bob.txt", "hello from bob\n");
        alice.syncInSync();
        bob.syncInSync();
        alice.syncInSync();
        carol.syncInSync();

        // then both hold the same shared files: both edits, bob's new file, and the contested photo kept twice
        Map<String, String> aliceShare = under(alice.tree(), "Family/");
        assertThat(under(bob.tree(), "Shared/Fam/")).isEqualTo(aliceShare);
        assertThat(aliceShare).containsKeys("plan.txt", "list.txt", "from-bob.txt", "photos/beach.jpg");
        assertThat(aliceShare.keySet()).anyMatch(p -> p.startsWith("photos/beach (") && p.contains("conflicted copy"));
        assertThat(aliceShare.values()).contains(sha(bytes(200_000, 2)), sha(bytes(200_000, 3)));
        assertThat(Files.readString(bob.file("Shared/Fam/list.txt"))).isEqualTo("eggs\nmilk\n");
        assertThat(under(carol.tree(), "Family/")).isEqualTo(aliceShare);

        // when carol, a viewer, edits, adds and deletes files in the share
        carol.write("Family/plan.txt", "carol's plan\n");
        carol.write("Family/carol.txt", "from carol\n");
        Files.delete(carol.file("Family/list.txt"));
        carol.syncInSync();
        alice.syncInSync();

        // then nothing of it reaches the share, and it all stays on carol's disk, listed by status as not sent
        assertThat(alice.tree()).doesNotContainKey("Family/carol.txt").containsKey("Family/list.txt");
        assertThat(Files.readString(alice.file("Family/plan.txt"))).isEqualTo("the plan\n");
        assertThat(Files.readString(carol.file("Family/carol.txt"))).isEqualTo("from carol\n");
        assertThat(carol.file("Family/list.txt")).doesNotExist();
        assertThat(shareFiles(alice, shareId)).containsOnlyKeys(aliceShare.keySet());
        String status = output(carol, "status", carol.folder().toString());
        assertThat(status).contains("not sent (read-only share Family)").contains("carol.txt").contains("plan.txt");

        // when alice edits the file carol edited
        alice.write("Family/plan.txt", "the plan, second draft\n");
        alice.syncInSync();
        carol.syncInSync();

        // then carol's edit is not overwritten, and status says so; other changes still reach her
        assertThat(Files.readString(carol.file("Family/plan.txt"))).isEqualTo("carol's plan\n");
        assertThat(output(carol, "status", carol.folder().toString())).contains("kept over the share's newer version")
                .contains("plan.txt");
        alice.write("Family/later.txt", "later\n");
        alice.syncInSync();
        carol.syncInSync();
        assertThat(Files.readString(carol.file("Family/later.txt"))).isEqualTo("later\n");
        assertThat(carol.tree()).doesNotContainKey("private.txt");
    }

    @Test
    void aMemberRemovedWhileSyncingKeepsTheirFilesAndStopsSyncingWhileTheOthersGoOn() throws IOException, InterruptedException {
        // given a share of alice's with bob and dave as editors, all in sync, and bob's client running
        Device alice = Device.login(server, server.newAccount(), "AliceLaptop");
        String bobName = server.newAccount();
        String daveName = server.newAccount();
        Device bob = Device.login(server, bobName, "BobLaptop");
        Device dave = Device.login(server, daveName, "DaveLaptop");
        alice.write("Trip/itinerary.txt", "day 1\n");
        alice.syncInSync();
        String shareId = createShare(alice, "Trip");
        alice.syncInSync();
        for (Device member : List.of(bob, dave)) {
            String name = member == bob ? bobName : daveName;
            assertThat(cli(alice, "share", "invite", shareId, name, "--role", "editor")).isZero();
            member.syncInSync();
            assertThat(cli(member, "share", "accept", shareId, "--at", member.file("Trip").toString())).isZero();
            member.syncInSync();
        }
        assertThat(Files.readString(bob.file("Trip/itinerary.txt"))).isEqualTo("day 1\n");
        Process bobSyncing = bob.startWatching();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> bob.output().contains("syncing "));

            // when alice removes bob, then changes the share, while bob edits it and his home folder
            assertThat(cli(alice, "share", "remove", shareId, bobName)).isZero();
            alice.write("Trip/itinerary.txt", "day 1\nday 2\n");
            alice.syncInSync();
            bob.write("Trip/bobs-idea.txt", "a detour\n");
            bob.write("home-note.txt", "bob's own\n");

            // then bob's client detaches the share: his files stay as they were, nothing more comes or goes
            await().atMost(Duration.ofSeconds(90)).until(() -> bob.output().contains("detached: no longer a member of Trip"));
            await().atMost(Duration.ofSeconds(60)).until(() -> homeFiles(bob).containsKey("home-note.txt"));
            assertThat(Files.readString(bob.file("Trip/itinerary.txt"))).isEqualTo("day 1\n");
            assertThat(Files.readString(bob.file("Trip/bobs-idea.txt"))).isEqualTo("a detour\n");
            assertThat(homeFiles(bob)).doesNotContainKeys("Trip/bobs-idea.txt", "Trip/itinerary.txt");
        } finally {
            bobSyncing.destroy();
            bobSyncing.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(shareFiles(alice, shareId)).doesNotContainKey("bobs-idea.txt");
        bob.syncInSync();
        assertThat(bob.file("Trip/itinerary.txt")).exists();
        assertThat(output(bob, "status", bob.folder().toString())).contains("detached: no longer a member of Trip");

        // and the others go on
        dave.syncInSync();
        assertThat(Files.readString(dave.file("Trip/itinerary.txt"))).isEqualTo("day 1\nday 2\n");
        dave.write("Trip/dave.txt", "dave was here\n");
        dave.syncInSync();
        alice.syncInSync();
        assertThat(Files.readString(alice.file("Trip/dave.txt"))).isEqualTo("dave was here\n");
    }

    @Test
    void sharingAnExistingFolderMovesItsFilesOutOfHomeWithNothingLostEvenWhileTheShareRefusesThem() throws IOException {
        // given a folder synced in alice's home on two devices
        String aliceName = server.newAccount();
        Device laptop = Device.login(server, aliceName, "Laptop");
        Device desktop = Device.login(server, aliceName, "Desktop");
        laptop.write("Projects/a.txt", "project a\n");
        laptop.write("Projects/deep/b.bin", bytes(150_000, 7));
        laptop.write("notes.txt", "notes\n");
        laptop.syncInSync();
        desktop.syncInSync();
        Map<String, String> before = laptop.tree();

        // when she shares it, and the share refuses what she sends (her role there is read-only for now)
        String shareId = createShare(laptop, "Projects");
        server.execute("UPDATE ingest.namespace_members SET role = 'viewer' WHERE namespace_id = ?::uuid", shareId);
        laptop.syncInSync();
        desktop.syncInSync();

        // then home keeps every file, on the server and on both disks
        assertThat(laptop.tree()).isEqualTo(before);
        assertThat(desktop.tree()).isEqualTo(before);
        assertThat(homeFiles(laptop)).containsKeys("Projects/a.txt", "Projects/deep/b.bin", "notes.txt");
        assertThat(shareFiles(laptop, shareId)).isEmpty();

        // when the share takes uploads again, and she moves a home file into it
        server.execute("UPDATE ingest.namespace_members SET role = 'owner' WHERE namespace_id = ?::uuid", shareId);
        Files.move(laptop.file("notes.txt"), laptop.file("Projects/notes.txt"));
        laptop.syncInSync();
        desktop.syncInSync();

        // then the files are in the share, gone from home on the server, and the same on both disks
        assertThat(shareFiles(laptop, shareId)).containsOnlyKeys("a.txt", "deep/b.bin", "notes.txt");
        assertThat(homeFiles(laptop)).isEmpty();
        Map<String, String> after = laptop.tree();
        assertThat(after).containsOnlyKeys("Projects/a.txt", "Projects/deep/b.bin", "Projects/notes.txt");
        assertThat(after.get("Projects/deep/b.bin")).isEqualTo(before.get("Projects/deep/b.bin"));
        assertThat(after.get("Projects/notes.txt")).isEqualTo(before.get("notes.txt"));
        assertThat(desktop.tree()).isEqualTo(after);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code cumulus share create DIR/PATH --name PATH} for {@code owner}; the new share's id. */
    private static String createShare(Device owner, String path) throws IOException {
        Files.createDirectories(owner.file(path));
        assertThat(cli(owner, "share", "create", owner.file(path).toString(), "--name", path)).isZero();
        return api(owner).shares().shares().stream().filter(s -> s.mountPath().equals(path)).map(Shares.Entry::shareId)
                .findFirst().orElseThrow();
    }

    /** {@code cumulus ARGS} in this JVM for {@code device}; its exit code. */
    private static int cli(Device device, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--config-dir", device.configDir().toString())).toArray(String[]::new);
        return ClientMain.run(all);
    }

    /** {@code cumulus ARGS} in a process of its own; what it printed. */
    private static String output(Device device, String... args) {
        int from = device.output().length();
        assertThat(device.run(args)).as("cumulus " + String.join(" ", args)).isZero();
        return device.output().substring(from);
    }

    private static ServerApi api(Device device) {
        DeviceConfig config = DeviceConfig.load(device.configDir()).orElseThrow();
        return ServerApi.device(config.server(), config.token());
    }

    /** The live files of the device's home namespace on the server, by path, with their sizes. */
    private static Map<String, Long> homeFiles(Device device) {
        DeviceConfig config = DeviceConfig.load(device.configDir()).orElseThrow();
        return live(api(device).files(config.homeNamespace(), ""));
    }

    private static Map<String, Long> shareFiles(Device device, String shareId) {
        return live(api(device).files(shareId, ""));
    }

    private static Map<String, Long> live(List<Remote.FileState> files) {
        return files.stream().filter(f -> !f.deleted())
                .collect(Collectors.toMap(Remote.FileState::path, f -> f.manifest().size(), (a, b) -> a, TreeMap::new));
    }

    /** The entries of {@code tree} under {@code prefix}, by their path below it. */
    private static Map<String, String> under(Map<String, String> tree, String prefix) {
        Map<String, String> inside = new TreeMap<>();
        tree.forEach((path, sha) -> {
            if (path.startsWith(prefix)) {
                inside.put(path.substring(prefix.length()), sha);
            }
        });
        return inside;
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] content) {
        return io.cumulus.sync.hash.Sha256.hex(content);
    }
}
