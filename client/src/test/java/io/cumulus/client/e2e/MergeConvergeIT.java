package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Concurrent edits of one file on two devices, settled by the server's merge worker: text whose
 * edits do not overlap is merged into one file on every device; overlapping text and binaries are
 * kept as two files, the same on every device. Each sync is a {@code cumulus} process of its own.
 */
class MergeConvergeIT {
    private static final Duration SETTLED = Duration.ofSeconds(90);
    private static final String NOTES = "# Notes\nline one\nline two\nline three\nline four\n";

    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void concurrentEditsOfDifferentLinesOfATextFileMergeIntoOneFileOnEveryDevice() {
        // given notes.md synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("notes.md", NOTES);
        laptop.syncInSync();
        phone.syncInSync();

        // when each edits another line while offline, then both sync, one after the other
        laptop.write("notes.md", NOTES.replace("line one", "line one, from the laptop"));
        phone.write("notes.md", NOTES.replace("line four", "line four, from the phone"));
        laptop.syncInSync();
        phone.syncInSync();

        // then, once both have synced the merge, each holds one notes.md with both edits and no copy
        String merged = "# Notes\nline one, from the laptop\nline two\nline three\nline four, from the phone\n";
        await().atMost(SETTLED).untilAsserted(() -> {
            laptop.syncInSync();
            phone.syncInSync();
            assertThat(laptop.tree()).containsOnlyKeys("notes.md");
            assertThat(phone.tree()).isEqualTo(laptop.tree());
            assertThat(read(laptop, "notes.md")).isEqualTo(merged);
        });
    }

    @Test
    void overlappingEditsOfATextFileKeepBothVersionsOnEveryDevice() {
        // given notes.md synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("notes.md", NOTES);
        laptop.syncInSync();
        phone.syncInSync();

        // when both change the same line, then both sync
        laptop.write("notes.md", NOTES.replace("line two", "line two, as the laptop has it"));
        phone.write("notes.md", NOTES.replace("line two", "line two, as the phone has it"));
        laptop.syncInSync();
        phone.syncInSync();

        // then both devices end with notes.md and the phone's conflicted copy, identical, nothing lost
        await().atMost(SETTLED).untilAsserted(() -> {
            laptop.syncInSync();
            phone.syncInSync();
            assertThat(laptop.tree()).hasSize(2);
            assertThat(phone.tree()).isEqualTo(laptop.tree());
        });
        String copy = theOtherFile(laptop, "notes.md");
        assertThat(copy).matches("notes \\(Phone's conflicted copy \\d{4}-\\d{2}-\\d{2}\\)\\.md");
        assertThat(read(laptop, "notes.md")).contains("line two, as the laptop has it");
        assertThat(read(laptop, copy)).contains("line two, as the phone has it");
        assertStaysSettled(laptop, phone);
    }

    @Test
    void aPhotoEditedOnTwoDevicesKeepsBothVersionsOnEveryDevice() {
        // given a photo synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        byte[] photo = FoldersConvergeIT.bytes(40_000, 21);
        laptop.write("photos/beach.jpg", photo);
        laptop.syncInSync();
        phone.syncInSync();

        // when both edit it, then both sync
        byte[] fromLaptop = photo.clone();
        fromLaptop[100] ^= 1;
        byte[] fromPhone = photo.clone();
        fromPhone[30_000] ^= 1;
        laptop.write("photos/beach.jpg", fromLaptop);
        phone.write("photos/beach.jpg", fromPhone);
        laptop.syncInSync();
        phone.syncInSync();

        // then both versions are on both devices, one as the phone's conflicted copy
        await().atMost(SETTLED).untilAsserted(() -> {
            laptop.syncInSync();
            phone.syncInSync();
            assertThat(laptop.tree()).hasSize(2);
            assertThat(phone.tree()).isEqualTo(laptop.tree());
        });
        String copy = theOtherFile(laptop, "photos/beach.jpg");
        assertThat(copy).startsWith("photos/beach (Phone's conflicted copy ").endsWith(").jpg");
        assertThat(bytes(laptop, "photos/beach.jpg")).isEqualTo(fromLaptop);
        assertThat(bytes(laptop, copy)).isEqualTo(fromPhone);
        assertStaysSettled(laptop, phone);
    }

    /** Another round on both devices changes nothing: no merge was still on its way. */
    private static void assertStaysSettled(Device laptop, Device phone) {
        Map<String, String> settled = laptop.tree();
        laptop.syncInSync();
        phone.syncInSync();
        assertThat(laptop.tree()).isEqualTo(settled);
        assertThat(phone.tree()).isEqualTo(settled);
    }

    private static String theOtherFile(Device d, String path) {
        List<String> others = d.tree().keySet().stream().filter(p -> !p.equals(path)).toList();
        assertThat(others).hasSize(1);
        return others.getFirst();
    }

    private static String read(Device d, String path) {
        return new String(bytes(d, path), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Device d, String path) {
        try {
            return Files.readAllBytes(d.file(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
