package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A photo edited on two devices at once leaves a conflicted copy; `status` lists it, and `resolve`
 * keeps this device's side, the other one, or both, after which every device agrees and nothing is
 * listed any more. Photos (binary content) are never merged, so the copy is always made.
 */
class ConflictResolveIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    /** Two devices after a conflict on photo.jpg: the laptop's edit holds the name, the phone's is the copy. */
    private record Conflicted(String user, Device laptop, Device phone, byte[] laptops, byte[] phones, String copy) {
    }

    private static Conflicted aPhotoEditedOnTwoDevices() {
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("photo.jpg", jpeg(5_000, 1));
        laptop.syncInSync();
        phone.syncInSync();
        // different sizes, so that each edit is seen whatever the file system's time stamp resolution
        byte[] laptops = jpeg(6_000, 2);
        byte[] phones = jpeg(7_000, 3);
        laptop.write("photo.jpg", laptops);
        phone.write("photo.jpg", phones);
        laptop.syncInSync();
        phone.syncInSync();
        laptop.syncInSync();
        assertThat(laptop.tree()).isEqualTo(phone.tree()).hasSize(2);
        String copy = laptop.tree().keySet().stream().filter(p -> !p.equals("photo.jpg")).findFirst().orElseThrow();
        assertThat(copy).startsWith("photo (Phone's conflicted copy ").endsWith(").jpg");
        return new Conflicted(user, laptop, phone, laptops, phones, copy);
    }

    @Test
    void statusListsTheConflictAndKeepMineOnTheDeviceThatMadeTheCopyKeepsItsEditUnderTheName() {
        // given a conflict
        Conflicted c = aPhotoEditedOnTwoDevices();

        // then status lists it on both devices, with who made each side
        int before = c.laptop().output().length();
        assertThat(c.laptop().run("status", c.laptop().folder().toString())).isZero();
        String status = c.laptop().output().substring(before);
        assertThat(status).contains("unresolved conflicts: 1", c.copy() + "  kept from Phone at ", "original: photo.jpg  Laptop at ");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(unresolved(c.phone())).hasSize(1));

        // when the phone keeps its own edit
        assertThat(c.phone().run("resolve", c.phone().file("photo.jpg").toString(), "--keep", "mine")).isZero();
        c.laptop().syncInSync();

        // then both devices hold only photo.jpg, with the phone's content, and nothing is left to resolve
        assertThat(c.phone().tree()).isEqualTo(c.laptop().tree()).isEqualTo(Map.of("photo.jpg", Sha256.hex(c.phones())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(unresolved(c.laptop())).isEmpty());
    }

    @Test
    void keepTheirsNamedByTheCopysPathKeepsTheOtherDevicesEdit() {
        // given a conflict
        Conflicted c = aPhotoEditedOnTwoDevices();

        // when the phone, whose edit is the copy, keeps the laptop's side, naming the copy
        assertThat(c.phone().run("resolve", c.phone().file(c.copy()).toString(), "--keep", "theirs")).isZero();
        c.laptop().syncInSync();

        // then the copy is gone everywhere and photo.jpg has the laptop's content
        assertThat(c.phone().tree()).isEqualTo(c.laptop().tree()).isEqualTo(Map.of("photo.jpg", Sha256.hex(c.laptops())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(unresolved(c.phone())).isEmpty());
    }

    @Test
    void keepBothLeavesTwoFilesAndNothingToResolve() {
        // given a conflict
        Conflicted c = aPhotoEditedOnTwoDevices();

        // when the laptop keeps both, naming the original relative to its folder
        assertThat(c.laptop().run("resolve", "photo.jpg", "--folder", c.laptop().folder().toString(), "--keep", "both")).isZero();
        c.phone().syncInSync();

        // then both files stay on both devices, and the copy is a file of its own
        assertThat(c.phone().tree()).isEqualTo(c.laptop().tree())
                .isEqualTo(Map.of("photo.jpg", Sha256.hex(c.laptops()), c.copy(), Sha256.hex(c.phones())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(unresolved(c.laptop())).isEmpty();
            assertThat(unresolved(c.phone())).isEmpty();
        });
    }

    @Test
    void badInputIsAUsageErrorAndChangesNothing() {
        // given a conflict, and a third device that wrote neither side
        Conflicted c = aPhotoEditedOnTwoDevices();
        Map<String, String> tree = c.laptop().tree();
        Device tablet = Device.login(server, c.user(), "Tablet");
        tablet.syncInSync();

        // when asked to keep something that is not a side, to resolve a path that is in no conflict, or mine on the tablet
        int before = c.phone().output().length();
        int everything = c.phone().run("resolve", c.phone().file("photo.jpg").toString(), "--keep", "everything");
        int unknown = c.phone().run("resolve", c.phone().file("holiday.jpg").toString(), "--keep", "mine");
        String phoneSaid = c.phone().output().substring(before);
        int neither = tablet.run("resolve", tablet.file("photo.jpg").toString(), "--keep", "mine");

        // then each is a usage error saying what was wrong, and the conflict is still there, untouched
        assertThat(everything).isEqualTo(2);
        assertThat(unknown).isEqualTo(2);
        assertThat(neither).isEqualTo(2);
        assertThat(phoneSaid).contains("--keep must be mine, theirs, both, copy or original, not 'everything'",
                "holiday.jpg is not part of an unresolved conflict");
        assertThat(tablet.output()).contains("neither side of this conflict was last written by this device",
                "use --keep copy or --keep original");
        c.phone().syncInSync();
        c.laptop().syncInSync();
        assertThat(c.phone().tree()).isEqualTo(c.laptop().tree()).isEqualTo(tree);
        assertThat(unresolved(c.laptop())).hasSize(1);
    }

    /** The unresolved conflicts {@code status --json} lists for the device. */
    private static JsonNode unresolved(Device device) {
        int before = device.output().length();
        assertThat(device.run("status", device.folder().toString(), "--json")).isZero();
        String json = device.output().substring(before).lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
        JsonNode conflicts = JSON.readTree(json).get("unresolvedConflicts");
        assertThat(conflicts.isArray()).as("unresolvedConflicts in %s", json).isTrue();
        return conflicts;
    }

    /** Bytes that start like a JPEG file and go on at random. */
    private static byte[] jpeg(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        bytes[2] = (byte) 0xFF;
        bytes[3] = (byte) 0xE0;
        return bytes;
    }
}
