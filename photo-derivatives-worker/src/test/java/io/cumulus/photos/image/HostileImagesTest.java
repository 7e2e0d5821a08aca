package io.cumulus.photos.image;

import static io.cumulus.photos.image.PhotoMetadataTest.ready;
import static io.cumulus.photos.image.TestPhotos.aPhoto;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files that are not what they say, or are built to hurt: each is Unreadable, quickly, and leaves nothing behind. */
class HostileImagesTest {
    private static final Instant FILE_TIME = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private Path tempRoot;
    private PhotoDeriver deriver;

    @BeforeAll
    static void vips() {
        Vips.require();
    }

    @BeforeEach
    void deriverWithItsOwnTempRoot() throws IOException {
        tempRoot = Files.createDirectory(dir.resolve("tmp"));
        deriver = new PhotoDeriver(PhotoDeriver.defaults().withTempRoot(tempRoot));
    }

    @Test
    void anEmptyFileIsUnreadable() {
        Path empty = TestPhotos.write(dir.resolve("empty.jpg"), new byte[0]);

        assertThat(deriver.derive(empty, FILE_TIME)).isEqualTo(new Derived.Unreadable(null, "empty file"));
    }

    @Test
    void textNamedLikeAPhotoIsNotRecognised() {
        Path text = TestPhotos.write(dir.resolve("holiday.jpg"), "not a photo at all\n".getBytes(StandardCharsets.UTF_8));

        Derived derived = deriver.derive(text, FILE_TIME);

        assertThat(derived).isInstanceOf(Derived.Unreadable.class);
        assertThat(((Derived.Unreadable) derived).format()).isNull();
        assertThat(((Derived.Unreadable) derived).reason()).contains("not an image");
    }

    @Test
    void aTruncatedJpegIsUnreadable() {
        byte[] jpeg = aPhoto(1200, 800).takenAt("2024:07:01 12:00:00").jpeg();
        Path cut = TestPhotos.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 6 / 10));

        assertUnreadable(deriver.derive(cut, FILE_TIME), "jpeg", "libvips");
    }

    @Test
    void aJpegWhoseHeadersAreGarbageIsUnreadable() {
        byte[] garbage = new byte[20_000];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        garbage[1] = (byte) 0xD8;
        garbage[2] = (byte) 0xFF;
        Path corrupt = TestPhotos.write(dir.resolve("corrupt.jpg"), garbage);

        assertUnreadable(deriver.derive(corrupt, FILE_TIME), "jpeg", "libvips");
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderQuickly() throws IOException {
        Path bomb = TestPhotos.write(dir.resolve("bomb.png"), blackPng(60_000, 60_000));
        assertThat(Files.size(bomb)).as("a few hundred KB").isLessThan(1_000_000);

        long start = System.nanoTime();
        Derived derived = deriver.derive(bomb, FILE_TIME);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertUnreadable(derived, "png", "60000 x 60000 pixels");
        assertThat(((Derived.Unreadable) derived).reason()).contains("above the limit of 200 megapixels");
    }

    @Test
    void aToolThatHangsIsKilledWithItsChildrenAtTheDeadline() throws IOException {
        Path pidFile = dir.resolve("child.pid");
        Path hanging = script("hanging-vips", "sleep 300 &\necho $! > '" + pidFile + "'\nwait\n");
        deriver = new PhotoDeriver(PhotoDeriver.defaults().withTempRoot(tempRoot).withTimeout(Duration.ofSeconds(1))
                .withTools("vipsheader", hanging.toString()));
        Path photo = aPhoto(64, 64).jpegIn(dir, "p.jpg");

        long start = System.nanoTime();
        Derived derived = deriver.derive(photo, FILE_TIME);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertUnreadable(derived, "jpeg", "within 1 s");
        long child = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(runs(child)).as("the tool's child").isFalse();
    }

    @Test
    void aToolThatFloodsItsOutputIsStoppedAtTheOutputLimit() throws IOException {
        Path flooding = script("flooding-vips", "exec yes\n");
        deriver = new PhotoDeriver(PhotoDeriver.defaults().withTempRoot(tempRoot).withTimeout(Duration.ofSeconds(20))
                .withMaxOutputBytes(1 << 20).withTools("vipsheader", flooding.toString()));
        Path photo = aPhoto(64, 64).jpegIn(dir, "p.jpg");

        long start = System.nanoTime();
        Derived derived = deriver.derive(photo, FILE_TIME);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(derived).isInstanceOf(Derived.Unreadable.class);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"-rf.jpg", "--size=1x1.jpg", "photo[Q=1].jpg", "with space\nand newline.jpg",
            "ünïcödé 写真 'quote\" $(x).jpg", "noextension"})
    void anyFileNameIsReadAsAPlainPath(String name) {
        Path photo = aPhoto(320, 240).jpegIn(dir, name);

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        assertThat(ready.metadata().width()).isEqualTo(320);
    }

    @Test
    void nothingIsLeftInTheTemporaryDirectory() throws IOException {
        deriver.derive(aPhoto(320, 240).jpegIn(dir, "[weird].jpg"), FILE_TIME);
        deriver.derive(TestPhotos.write(dir.resolve("cut.jpg"), Arrays.copyOf(aPhoto(600, 400).jpeg(), 3000)),
                FILE_TIME);

        try (var left = Files.list(tempRoot)) {
            assertThat(left).as("but the libvips home, one per JVM")
                    .allMatch(path -> path.getFileName().toString().startsWith("cumulus-vips-home-"));
        }
    }

    /** Whether a process runs: a killed one whose parent died waits as a zombie for init, which may be slow to reap it. */
    private static boolean runs(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        String content = Files.readString(stat);
        String state = content.substring(content.lastIndexOf(')') + 2, content.lastIndexOf(')') + 3);
        return !state.equals("Z") && !state.equals("X");
    }

    private static void assertUnreadable(Derived derived, String format, String reasonPart) {
        assertThat(derived).isInstanceOf(Derived.Unreadable.class);
        Derived.Unreadable unreadable = (Derived.Unreadable) derived;
        assertThat(unreadable.format()).isEqualTo(format);
        assertThat(unreadable.reason()).contains(reasonPart);
    }

    private Path script(String name, String body) throws IOException {
        Path script = dir.resolve(name);
        // Asked for its loaders (vips -l), the fake answers at once that it has none.
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = -l ] && exit 1\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** A legal PNG, 1-bit grey, all black: its zero rows deflate a thousandfold (PNG spec, ISO/IEC 15948). */
    static byte[] blackPng(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + (width + 7) / 8];
        try (var deflate = new DeflaterOutputStream(idat, new Deflater(Deflater.DEFAULT_COMPRESSION), 1 << 16)) {
            for (int y = 0; y < height; y++) {
                deflate.write(row);
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
