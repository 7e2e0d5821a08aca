package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.cumulus.client.api.Remote;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.evict.Placeholder;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Originals on demand with real clients and a real server: a device with
 * {@code --optimize-storage} keeps its originals under the limit, with placeholders for the rest,
 * and nothing is lost or changed for the other devices.
 */
class OriginalsOnDemandIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    private static final long LIMIT = 500 * 1024;
    private static final List<String> PHOTOS = List.of("photos/p1.jpg", "photos/p2.jpg", "photos/p3.jpg", "photos/p4.jpg",
            "photos/p5.jpg");

    @Test
    void aLimitedDeviceEvictsOriginalsFetchesThemBackAndNeverLosesAFile() throws IOException {
        // given five photos of 200 KB and a note on the laptop, synced
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        for (int i = 0; i < PHOTOS.size(); i++) {
            laptop.write(PHOTOS.get(i), FoldersConvergeIT.bytes(200_000, i));
        }
        laptop.write("notes.txt", "hello\n");
        laptop.syncInSync();
        Map<String, String> onLaptop = laptop.tree();

        // when the phone syncs with a limit of 500 KiB
        int code = phone.run("sync", phone.folder().toString(), "--once", "--optimize-storage=500K");

        // then its originals fit, a placeholder stands for each evicted file, and the laptop still has every file unchanged
        assertThat(code).as(phone.output()).isZero();
        List<String> evicted = evicted(phone);
        assertThat(evicted).hasSizeGreaterThanOrEqualTo(3).isSubsetOf(PHOTOS);
        assertThat(originalsBytes(phone)).isLessThanOrEqualTo(LIMIT);
        for (String p : PHOTOS) {
            assertThat(Files.exists(phone.file(p)) ^ evicted.contains(p)).as(p).isTrue();
        }
        laptop.syncInSync();
        assertThat(laptop.tree()).isEqualTo(onLaptop);
        assertThat(trash(laptop)).isEmpty();

        // and status lists them, and a plain sync remembers the limit and changes nothing
        JsonNode status = statusJson(phone);
        assertThat(status.path("optimizeStorage").path("limitBytes").asLong()).isEqualTo(LIMIT);
        assertThat(status.path("optimizeStorage").path("evictedFiles").asInt()).isEqualTo(evicted.size());
        List<String> listed = new ArrayList<>();
        status.path("optimizeStorage").path("evicted").forEach(n -> listed.add(n.asString()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(evicted);
        assertThat(status.path("pendingUploads")).isEmpty();
        phone.syncInSync();
        assertThat(evicted(phone)).isEqualTo(evicted);
        laptop.syncInSync();
        assertThat(laptop.tree()).isEqualTo(onLaptop);

        // when a photo on the phone is edited (and made to look the oldest), and an evicted one is fetched by its placeholder
        String kept = PHOTOS.stream().filter(p -> Files.exists(phone.file(p))).findFirst().orElseThrow();
        byte[] edit = FoldersConvergeIT.bytes(200_000, 1234);
        phone.write(kept, edit);
        Files.setLastModifiedTime(phone.file(kept), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        String fetched = evicted.getFirst();
        assertThat(phone.run("fetch", phone.file(Placeholder.pathFor(fetched)).toString())).as(phone.output()).isZero();

        // then it is back with its bytes; the unsent edit is never evicted, another least recently used file went instead
        assertThat(sha256(phone.file(fetched))).isEqualTo(onLaptop.get(fetched));
        assertThat(phone.file(Placeholder.pathFor(fetched))).doesNotExist();
        assertThat(sha256(phone.file(kept))).isEqualTo(Sha256.hex(edit));
        assertThat(phone.file(Placeholder.pathFor(kept))).doesNotExist();
        assertThat(evicted(phone)).doesNotContain(fetched, kept).hasSameSizeAs(evicted);
        assertThat(originalsBytes(phone)).isLessThanOrEqualTo(LIMIT);
        phone.syncInSync();
        laptop.syncInSync();
        assertThat(laptop.tree().get(kept)).isEqualTo(Sha256.hex(edit));

        // when the laptop edits one evicted on the phone, and renames another
        List<String> nowEvicted = evicted(phone);
        String edited = nowEvicted.get(0);
        String renamed = nowEvicted.get(1);
        byte[] newBytes = FoldersConvergeIT.bytes(150_000, 99);
        laptop.write(edited, newBytes);
        Files.createDirectories(laptop.file("archive"));
        Files.move(laptop.file(renamed), laptop.file("archive/renamed.jpg"));
        laptop.syncInSync();
        phone.syncInSync();

        // then on the phone both stay evicted: the placeholder stands for the new version, the other moved with its file
        assertThat(evicted(phone)).contains(edited, "archive/renamed.jpg").doesNotContain(renamed);
        assertThat(Files.readString(phone.file(Placeholder.pathFor(edited)))).contains("\"size\" : 150000");
        assertThat(phone.file(Placeholder.pathFor(renamed))).doesNotExist();
        assertThat(phone.run("fetch", phone.file(edited).toString(), phone.file("archive").toString())).as(phone.output()).isZero();
        assertThat(sha256(phone.file(edited))).isEqualTo(Sha256.hex(newBytes));
        assertThat(sha256(phone.file("archive/renamed.jpg"))).isEqualTo(onLaptop.get(renamed));
        laptop.syncInSync();
        assertThat(laptop.tree().keySet()).containsExactlyInAnyOrderElementsOf(laptopFilesExpected(onLaptop, renamed));
        assertThat(trash(laptop)).isEmpty();

        // when a placeholder is deleted on the phone
        String deleted = evicted(phone).getFirst();
        Files.delete(phone.file(Placeholder.pathFor(deleted)));
        phone.syncInSync();
        laptop.syncInSync();

        // then the file is deleted everywhere, as any deletion, and it is in the trash
        assertThat(laptop.tree()).doesNotContainKey(deleted);
        assertThat(trash(laptop)).extracting(Remote.TrashEntry::path).containsExactly(deleted);
        assertThat(evicted(phone)).doesNotContain(deleted);

        // when the laptop deletes a file evicted on the phone
        String goneThere = evicted(phone).getFirst();
        Files.delete(laptop.file(goneThere));
        laptop.syncInSync();
        phone.syncInSync();

        // then the phone's placeholder goes with it
        assertThat(phone.file(Placeholder.pathFor(goneThere))).doesNotExist();
        assertThat(evicted(phone)).doesNotContain(goneThere);
        assertThat(phone.tree()).doesNotContainKey(goneThere);
    }

    @Test
    void placeholdersTamperedWithLoseNothingAndNothingIsWrittenOutsideTheFolder() throws IOException {
        // given three files of 200 KB from the laptop, all evicted on the phone
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        for (String name : List.of("a.bin", "b.bin", "c.bin")) {
            laptop.write(name, FoldersConvergeIT.bytes(200_000, name.charAt(0)));
        }
        laptop.syncInSync();
        Map<String, String> onLaptop = laptop.tree();
        assertThat(phone.run("sync", phone.folder().toString(), "--once", "--optimize-storage=0")).as(phone.output()).isZero();
        assertThat(evicted(phone)).containsExactly("a.bin", "b.bin", "c.bin");

        // when one placeholder is edited to garbage, one renamed, a real file is made at the third's name, a placeholder
        // naming a path outside the folder appears, and a file only looks like a placeholder
        Files.writeString(phone.file(Placeholder.pathFor("a.bin")), "garbage {");
        Files.move(phone.file(Placeholder.pathFor("b.bin")), phone.file(".renamed.bin.cumulus-cloud"));
        phone.write("c.bin", "mine\n");
        phone.write(".evil.cumulus-cloud", """
                {"cumulusPlaceholder":1,"path":"../../outside.txt","fileId":"x","size":1,"seq":1,"vector":{},"content":"c",
                 "evictedAt":"2026-12-05T12:00:00Z"}""");
        phone.write(".d.bin.cumulus-cloud.txt", "an ordinary file\n");
        phone.syncInSync();
        laptop.syncInSync();

        // then no file was deleted: the garbage was rewritten, the rename undone, the real file sent as an edit, the
        // look-alike sent as a file; the hostile placeholder was left alone, reported, and wrote nothing anywhere
        assertThat(laptop.tree()).containsEntry("a.bin", onLaptop.get("a.bin")).containsEntry("b.bin", onLaptop.get("b.bin"))
                .containsEntry("c.bin", Sha256.hex("mine\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .containsKey(".d.bin.cumulus-cloud.txt").doesNotContainKeys(".evil.cumulus-cloud", ".renamed.bin.cumulus-cloud");
        assertThat(trash(laptop)).isEmpty();
        assertThat(evicted(phone)).containsExactly("a.bin", "b.bin");
        assertThat(Files.readString(phone.file(Placeholder.pathFor("a.bin")))).contains("\"path\" : \"a.bin\"");
        assertThat(phone.file(".renamed.bin.cumulus-cloud")).doesNotExist();
        assertThat(phone.file(".evil.cumulus-cloud")).exists();
        assertThat(statusJson(phone).path("optimizeStorage").path("placeholdersNotUnderstood").toString())
                .isEqualTo("[\".evil.cumulus-cloud\"]");
        assertThat(phone.run("fetch", phone.file(".evil.cumulus-cloud").toString())).isEqualTo(2);
        assertThat(phone.folder().getParent().resolve("outside.txt")).doesNotExist();
        assertThat(phone.folder().getParent().getParent().resolve("outside.txt")).doesNotExist();

        // and the evicted files still come back with their bytes
        assertThat(phone.run("fetch", phone.folder().toString())).as(phone.output()).isZero();
        assertThat(sha256(phone.file("a.bin"))).isEqualTo(onLaptop.get("a.bin"));
        assertThat(sha256(phone.file("b.bin"))).isEqualTo(onLaptop.get("b.bin"));
    }

    @Test
    void aContinuousSyncHonoursTheLimitRememberedForTheFolder() throws Exception {
        // given a phone whose folder was once synced with a limit of nothing, then synced continuously without the option
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        assertThat(phone.run("sync", phone.folder().toString(), "--once", "--optimize-storage=0")).as(phone.output()).isZero();
        Process watching = phone.startWatching();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> phone.output().contains("syncing "));

            // when the laptop adds a large file
            laptop.write("video.mp4", FoldersConvergeIT.bytes(300_000, 5));
            laptop.syncInSync();

            // then the watching phone receives it and evicts it after the round
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(phone.file(Placeholder.pathFor("video.mp4"))));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(phone.file("video.mp4")));
        } finally {
            watching.destroy();
            watching.waitFor();
        }
        assertThat(evicted(phone)).containsExactly("video.mp4");
        laptop.syncInSync();
        assertThat(laptop.tree()).containsOnlyKeys("video.mp4");
    }

    @Test
    void aBadSizeIsAUsageErrorAndChangesNothing() {
        String user = server.newAccount();
        Device phone = Device.login(server, user, "Phone");

        int code = phone.run("sync", phone.folder().toString(), "--once", "--optimize-storage=lots");

        assertThat(code).isEqualTo(2);
        assertThat(phone.output()).contains("--optimize-storage: 'lots' is not a size");
        assertThat(phone.folder()).doesNotExist();
    }

    private static List<String> laptopFilesExpected(Map<String, String> before, String renamed) {
        List<String> files = new ArrayList<>(before.keySet());
        files.remove(renamed);
        files.add("archive/renamed.jpg");
        return files;
    }

    private static boolean isPlaceholder(String path) {
        return Placeholder.originalOf(path).isPresent();
    }

    /** The files a device's placeholders stand for (those that read as placeholders of their place), sorted. */
    private static List<String> evicted(Device d) {
        List<String> evicted = new ArrayList<>();
        for (String p : d.tree().keySet()) {
            try {
                if (isPlaceholder(p)) {
                    evicted.add(Placeholder.decode(p, Files.readAllBytes(d.file(p))).path());
                }
            } catch (Placeholder.Unreadable e) {
                // not one of the client's: the tests that make one check it apart
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (LocalState state = LocalState.open(d.folder())) {
            assertThat(state.evicted().keySet()).as("evicted in the state").containsExactlyInAnyOrderElementsOf(evicted);
        }
        return evicted.stream().sorted().toList();
    }

    /** The bytes of the originals on disk: every file but the placeholders. */
    private static long originalsBytes(Device d) {
        try (Stream<Path> files = Files.walk(d.folder())) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = d.folder().relativize(p).toString().replace('\\', '/');
                if (Files.isRegularFile(p) && !rel.startsWith(LocalState.STATE_DIR + "/") && !isPlaceholder(rel)) {
                    total += Files.size(p);
                }
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode statusJson(Device d) {
        int before = d.output().length();
        assertThat(d.run("status", d.folder().toString(), "--json")).as(d.output()).isZero();
        String out = d.output().substring(before).lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        return JsonMapper.builder().build().readTree(out);
    }

    private static List<Remote.TrashEntry> trash(Device d) {
        DeviceConfig config = DeviceConfig.load(d.configDir()).orElseThrow();
        return ServerApi.device(config.server(), config.token()).trash(config.homeNamespace());
    }

    private static String sha256(Path file) throws IOException {
        return Sha256.hex(Files.readAllBytes(file));
    }
}
