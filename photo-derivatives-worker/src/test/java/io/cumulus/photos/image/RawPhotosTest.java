package io.cumulus.photos.image;

import static io.cumulus.photos.image.PhotoMetadataTest.decode;
import static io.cumulus.photos.image.PhotoMetadataTest.ready;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAW files, built as their makers lay them out (a TIFF whose first image is a JPEG preview and whose
 * EXIF names the camera): derived from their largest embedded JPEG, turned by the RAW's orientation.
 */
class RawPhotosTest {
    private static final Instant FILE_TIME = Instant.parse("2025-03-04T05:06:07Z");
    private static final int NEW_SUBFILE_TYPE = 0x00FE;
    private static final int COMPRESSION = 0x0103;
    private static final int STRIP_OFFSETS = 0x0111;
    private static final int STRIP_BYTE_COUNTS = 0x0117;
    private static final int JPEG_INTERCHANGE_FORMAT = 0x0201;
    private static final int JPEG_INTERCHANGE_FORMAT_LENGTH = 0x0202;
    private static final int DNG_VERSION = 0xC612;

    @TempDir
    Path dir;

    private final PhotoDeriver deriver = new PhotoDeriver(PhotoDeriver.defaults());

    @BeforeAll
    static void vips() {
        Vips.require();
    }

    @Test
    void aNikonRawIsDerivedFromItsPreviewTurnedByItsOrientation() throws IOException {
        byte[] preview = TestPhotos.plainJpeg(600, 400);
        TiffWriter nef = camera("NIKON CORPORATION", "NIKON Z 6", 6);
        nef.ifd0.put(NEW_SUBFILE_TYPE, TiffWriter.longValue(1));
        nef.ifd0.put(COMPRESSION, TiffWriter.shortValue(6));
        nef.ifd0.put(STRIP_BYTE_COUNTS, TiffWriter.longValue(preview.length));
        Path raw = TestPhotos.write(dir.resolve("DSC_0001.NEF"), nef.write(preview, STRIP_OFFSETS));

        Derived.Ready ready = ready(deriver.derive(raw, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo("raw-nef");
        assertThat(ready.metadata().cameraModel()).isEqualTo("NIKON Z 6");
        assertThat(ready.metadata().takenAt().source()).isEqualTo(TakenAt.Source.EXIF_LOCAL);
        assertThat(ready.metadata().orientation()).isEqualTo(6);
        assertThat(ready.metadata().width()).isEqualTo(400);
        assertThat(ready.metadata().height()).isEqualTo(600);
        assertThat(decode(ready.preview()).getHeight()).as("portrait").isEqualTo(600);
        assertThat(decode(ready.preview()).getWidth()).isEqualTo(400);
    }

    @Test
    void aDngIsToldByItsVersionTagAndUsesItsLargestJpeg() throws IOException {
        byte[] preview = TestPhotos.plainJpeg(800, 600);
        TiffWriter dng = camera("Apple", "iPhone 15 Pro", 1);
        dng.ifd0.put(DNG_VERSION, TiffWriter.bytes(1, 6, 0, 0));
        dng.ifd0.put(JPEG_INTERCHANGE_FORMAT_LENGTH, TiffWriter.longValue(preview.length));
        Path raw = TestPhotos.write(dir.resolve("IMG_0001.DNG"), dng.write(preview, JPEG_INTERCHANGE_FORMAT));

        Derived.Ready ready = ready(deriver.derive(raw, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo("raw-dng");
        assertThat(ready.metadata().width()).isEqualTo(800);
        assertThat(decode(ready.thumbnail()).getWidth()).isEqualTo(256);
    }

    @Test
    void aRawWithoutAnEmbeddedPreviewIsUnreadableAndSaysWhy() {
        TiffWriter nef = camera("NIKON CORPORATION", "NIKON D850", 1);
        nef.ifd0.put(NEW_SUBFILE_TYPE, TiffWriter.longValue(1));
        Path raw = TestPhotos.write(dir.resolve("DSC_0002.NEF"), nef.write(new byte[64]));

        assertThat(deriver.derive(raw, FILE_TIME))
                .isEqualTo(new Derived.Unreadable("raw-nef", "raw file without an embedded preview"));
    }

    @Test
    void aCanonCr3IsDerivedFromThePreviewInItsUuidBox() throws IOException {
        byte[] preview = TestPhotos.plainJpeg(1620, 1080);
        ByteBuffer prvw = ByteBuffer.allocate(24 + preview.length);
        prvw.putInt(24 + preview.length).put("PRVW".getBytes(StandardCharsets.US_ASCII)).putInt(0)
                .putShort((short) 1).putShort((short) 1620).putShort((short) 1080).putShort((short) 1)
                .putInt(preview.length).put(preview);
        ByteBuffer uuid = ByteBuffer.allocate(24 + 8 + prvw.capacity());
        uuid.putInt(uuid.capacity()).put("uuid".getBytes(StandardCharsets.US_ASCII))
                .putLong(0xeaf42b5e1c984b88L).putLong(0xb9fbb7dc406e4d16L).putLong(0).put(prvw.array());
        ByteBuffer ftyp = ByteBuffer.allocate(24);
        ftyp.putInt(24).put("ftypcrx \0\0\0\1crx isom".getBytes(StandardCharsets.US_ASCII));
        byte[] cr3 = new byte[ftyp.capacity() + uuid.capacity()];
        System.arraycopy(ftyp.array(), 0, cr3, 0, ftyp.capacity());
        System.arraycopy(uuid.array(), 0, cr3, ftyp.capacity(), uuid.capacity());
        Path raw = TestPhotos.write(dir.resolve("IMG_0001.CR3"), cr3);

        Derived.Ready ready = ready(deriver.derive(raw, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo("raw-cr3");
        assertThat(ready.metadata().width()).isEqualTo(1620);
        assertThat(decode(ready.preview()).getWidth()).isEqualTo(1600);
    }

    private static TiffWriter camera(String make, String model, int orientation) {
        TiffWriter tiff = new TiffWriter();
        tiff.ifd0.put(0x010F, TiffWriter.ascii(make));
        tiff.ifd0.put(0x0110, TiffWriter.ascii(model));
        tiff.ifd0.put(0x0112, TiffWriter.shortValue(orientation));
        tiff.exif.put(0x9003, TiffWriter.ascii("2024:07:01 12:00:00"));
        return tiff;
    }
}
