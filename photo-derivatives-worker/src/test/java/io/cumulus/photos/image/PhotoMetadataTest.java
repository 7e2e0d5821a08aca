package io.cumulus.photos.image;

import static io.cumulus.photos.image.TestPhotos.aPhoto;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link PhotoDeriver} reads from EXIF the tests wrote, and how orientation shapes the derivatives. */
class PhotoMetadataTest {
    private static final Instant FILE_TIME = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private final PhotoDeriver deriver = new PhotoDeriver(PhotoDeriver.defaults());

    @BeforeAll
    static void vips() {
        Vips.require();
    }

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyOrientationIsRecordedAndAppliedToTheSizeAndTheDerivatives(int orientation) throws IOException {
        Path photo = aPhoto(400, 200).orientation(orientation).jpegIn(dir, "o.jpg");

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        boolean turned = orientation >= 5;
        assertThat(ready.metadata().orientation()).isEqualTo(orientation);
        assertThat(ready.metadata().width()).isEqualTo(turned ? 200 : 400);
        assertThat(ready.metadata().height()).isEqualTo(turned ? 400 : 200);
        BufferedImage preview = decode(ready.preview());
        assertThat(preview.getWidth()).as("preview width, never upscaled").isEqualTo(turned ? 200 : 400);
        assertThat(preview.getHeight()).isEqualTo(turned ? 400 : 200);
    }

    @Test
    void aPhotoWithoutExifIsDatedByItsFileAndUpright() {
        Path photo = aPhoto(300, 200).jpegIn(dir, "plain.jpg");

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        assertThat(ready.metadata()).isEqualTo(new PhotoMetadata("jpeg",
                new TakenAt(FILE_TIME, null, TakenAt.Source.FILE), 300, 200, 1, null, null, null, null, null));
    }

    @Test
    void localTimeWithOffsetGivesTheExactInstant() {
        Path photo = aPhoto(64, 64).takenAt("2024:07:01 12:00:00").offset("+02:00").jpegIn(dir, "t.jpg");

        TakenAt takenAt = ready(deriver.derive(photo, FILE_TIME)).metadata().takenAt();

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T10:00:00Z"), 120,
                TakenAt.Source.EXIF_OFFSET));
    }

    @Test
    void localTimeAndGpsClockGiveTheGpsInstantAndTheZonesOffset() {
        Path photo = aPhoto(64, 64).takenAt("2024:07:01 12:00:00").gpsTime("2024:07:01", "21:30:05")
                .jpegIn(dir, "t.jpg");

        TakenAt takenAt = ready(deriver.derive(photo, FILE_TIME)).metadata().takenAt();

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T21:30:05Z"), -570, TakenAt.Source.GPS));
    }

    @Test
    void localTimeAloneIsReadAsUtc() {
        Path photo = aPhoto(64, 64).takenAt("2024:07:01 12:00:00").jpegIn(dir, "t.jpg");

        TakenAt takenAt = ready(deriver.derive(photo, FILE_TIME)).metadata().takenAt();

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T12:00:00Z"), null,
                TakenAt.Source.EXIF_LOCAL));
    }

    @Test
    void theGpsClockAloneDatesThePhoto() {
        Path photo = aPhoto(64, 64).gpsTime("2023:12:31", "23:59:58").jpegIn(dir, "t.jpg");

        TakenAt takenAt = ready(deriver.derive(photo, FILE_TIME)).metadata().takenAt();

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2023-12-31T23:59:58Z"), null, TakenAt.Source.GPS));
    }

    @Test
    void positionIsSignedDegreesSouthAndWestNegative() {
        Path photo = aPhoto(64, 64).gps(-33.856784, -70.651236).jpegIn(dir, "g.jpg");

        PhotoMetadata metadata = ready(deriver.derive(photo, FILE_TIME)).metadata();

        assertThat(metadata.latitude()).isCloseTo(-33.856784, within(1e-5));
        assertThat(metadata.longitude()).isCloseTo(-70.651236, within(1e-5));
    }

    @Test
    void aPositionOutOfRangeIsDropped() {
        Path photo = aPhoto(64, 64).gps(95.0, 10.0).jpegIn(dir, "g.jpg");

        PhotoMetadata metadata = ready(deriver.derive(photo, FILE_TIME)).metadata();

        assertThat(metadata.latitude()).isNull();
        assertThat(metadata.longitude()).isNull();
    }

    @Test
    void cameraAndLensAreTrimmed() {
        Path photo = aPhoto(64, 64).camera("  Canon  ", "Canon EOS R5 ").lens("RF24-105mm F4 L IS USM\0\0")
                .jpegIn(dir, "c.jpg");

        PhotoMetadata metadata = ready(deriver.derive(photo, FILE_TIME)).metadata();

        assertThat(metadata.cameraMake()).isEqualTo("Canon");
        assertThat(metadata.cameraModel()).isEqualTo("Canon EOS R5");
        assertThat(metadata.lens()).isEqualTo("RF24-105mm F4 L IS USM");
    }

    static Derived.Ready ready(Derived derived) {
        assertThat(derived).isInstanceOf(Derived.Ready.class);
        return (Derived.Ready) derived;
    }

    static BufferedImage decode(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(image).as("a JPEG ImageIO decodes").isNotNull();
        return image;
    }
}
