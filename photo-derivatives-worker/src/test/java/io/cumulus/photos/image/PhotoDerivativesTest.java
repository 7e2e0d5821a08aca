package io.cumulus.photos.image;

import static io.cumulus.photos.image.PhotoMetadataTest.decode;
import static io.cumulus.photos.image.PhotoMetadataTest.ready;
import static io.cumulus.photos.image.TestPhotos.aPhoto;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.icc.IccDirectory;

/** The thumbnail and the preview: sizes, formats, colour, no metadata left, same bytes every time. */
class PhotoDerivativesTest {
    private static final Instant FILE_TIME = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private final PhotoDeriver deriver = new PhotoDeriver(PhotoDeriver.defaults());

    @BeforeAll
    static void vips() {
        Vips.require();
    }

    @Test
    void aLargePhotoGetsA1600PixelPreviewAndASquareThumbnail() throws IOException {
        Path photo = aPhoto(2400, 1200).jpegIn(dir, "large.jpg");

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        BufferedImage preview = decode(ready.preview());
        BufferedImage thumbnail = decode(ready.thumbnail());
        assertThat(preview.getWidth()).isEqualTo(1600);
        assertThat(preview.getHeight()).isEqualTo(800);
        assertThat(thumbnail.getWidth()).isEqualTo(256);
        assertThat(thumbnail.getHeight()).isEqualTo(256);
    }

    @Test
    void theAttentionCropAlsoGivesASquareThumbnailTheSameEachTime() throws IOException {
        PhotoDeriver attention = new PhotoDeriver(PhotoDeriver.defaults().withAttentionCrop(true));
        Path photo = aPhoto(2400, 1200).orientation(8).jpegIn(dir, "large.jpg");

        Derived.Ready first = ready(attention.derive(photo, FILE_TIME));
        Derived.Ready second = ready(attention.derive(photo, FILE_TIME));

        assertThat(decode(first.thumbnail()).getWidth()).isEqualTo(256);
        assertThat(decode(first.thumbnail()).getHeight()).isEqualTo(256);
        assertThat(second.thumbnail()).isEqualTo(first.thumbnail());
    }

    @Test
    void derivativesCarryNoExifNoGpsAndNoProfile() throws Exception {
        Path photo = aPhoto(800, 600).orientation(6).camera("Canon", "EOS R5").lens("RF50mm F1.8 STM")
                .takenAt("2024:07:01 12:00:00").offset("+02:00").gps(48.8584, 2.2945).gpsTime("2024:07:01", "10:00:00")
                .jpegIn(dir, "full.jpg");

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        Derived.Ready attention = ready(new PhotoDeriver(PhotoDeriver.defaults().withAttentionCrop(true))
                .derive(photo, FILE_TIME));
        for (byte[] derivative : new byte[][] {ready.thumbnail(), ready.preview(), attention.thumbnail()}) {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(derivative));
            assertThat(metadata.containsDirectoryOfType(GpsDirectory.class)).as("GPS").isFalse();
            assertThat(metadata.containsDirectoryOfType(ExifIFD0Directory.class)).as("EXIF").isFalse();
            assertThat(metadata.containsDirectoryOfType(ExifSubIFDDirectory.class)).as("EXIF").isFalse();
            assertThat(metadata.containsDirectoryOfType(IccDirectory.class)).as("ICC profile").isFalse();
            assertThat(new String(derivative, StandardCharsets.ISO_8859_1)).doesNotContain("Canon", "Exif");
        }
    }

    @Test
    void theSamePhotoGivesTheSameBytesWhereverItIs() throws IOException {
        Path photo = aPhoto(1800, 1200).orientation(3).takenAt("2024:07:01 12:00:00").jpegIn(dir, "a.jpg");
        Path copy = Files.copy(photo, dir.resolve("b.jpg"));

        Derived.Ready first = ready(deriver.derive(photo, FILE_TIME));
        Derived.Ready second = ready(deriver.derive(copy, FILE_TIME.plusSeconds(60)));

        assertThat(second.preview()).isEqualTo(first.preview());
        assertThat(second.thumbnail()).isEqualTo(first.thumbnail());
    }

    @Test
    void aPhotoInAnotherColourSpaceIsConvertedToSrgb() throws IOException {
        // Mid-grey in linear RGB is lighter in sRGB: 128 linear is about 188 sRGB.
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                grey.setRGB(x, y, 0x808080);
            }
        }
        byte[] jpeg = withIccProfile(TestPhotos.encode(grey, "jpg"), ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB));
        Path photo = TestPhotos.write(dir.resolve("linear.jpg"), jpeg);

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        int green = (decode(ready.preview()).getRGB(32, 32) >> 8) & 0xFF;
        assertThat(green).isBetween(180, 196);
    }

    @Test
    void aPhotoWithAProfileIsTurnedUprightToo() throws IOException {
        // A profile sends the preview through libvips' thumbnail operation rather than the plain-JPEG path.
        byte[] jpeg = withIccProfile(aPhoto(400, 200).orientation(6).jpeg(), ICC_Profile.getInstance(ColorSpace.CS_sRGB));
        Path photo = TestPhotos.write(dir.resolve("tagged.jpg"), jpeg);

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        assertThat(decode(ready.preview()).getWidth()).isEqualTo(200);
        assertThat(decode(ready.preview()).getHeight()).isEqualTo(400);
        assertThat(ready.metadata().width()).isEqualTo(200);
    }

    @Test
    void aGreyJpegIsDerived() throws IOException {
        BufferedImage grey = new BufferedImage(2000, 1000, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(TestPhotos.pixels(2000, 1000), 0, 0, null);
        Path photo = TestPhotos.write(dir.resolve("grey.jpg"), TestPhotos.encode(grey, "jpg"));

        Derived.Ready ready = ready(deriver.derive(photo, FILE_TIME));

        assertThat(decode(ready.preview()).getWidth()).isEqualTo(1600);
        assertThat(decode(ready.preview()).getHeight()).isEqualTo(800);
        assertThat(decode(ready.thumbnail()).getWidth()).isEqualTo(256);
    }

    @Test
    void missingToolsAreNamedWithThePackageToInstall() {
        PhotoDeriver withoutVips = new PhotoDeriver(PhotoDeriver.defaults()
                .withTools("/nonexistent/vipsheader", "/nonexistent/vips"));

        assertThat(withoutVips.missingTools()).hasValueSatisfying(message -> assertThat(message)
                .contains("/nonexistent/vipsheader", "/nonexistent/vips", "apt-get install libvips-tools"));
        assertThat(deriver.missingTools()).as("here").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png", "gif", "tiff"})
    void pngGifAndTiffAreRecognisedAndDerived(String format) throws IOException {
        Path image = TestPhotos.write(dir.resolve("image"), TestPhotos.encode(TestPhotos.pixels(500, 300), format));

        Derived.Ready ready = ready(deriver.derive(image, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo(format);
        assertThat(ready.metadata().width()).isEqualTo(500);
        assertThat(ready.metadata().height()).isEqualTo(300);
        assertThat(decode(ready.preview()).getWidth()).isEqualTo(500);
        assertThat(decode(ready.thumbnail()).getWidth()).isEqualTo(256);
    }

    @Test
    void webpIsRecognisedAndDerived() throws IOException {
        Path png = TestPhotos.write(dir.resolve("image.png"), TestPhotos.encode(TestPhotos.pixels(500, 300), "png"));
        Path webp = Vips.convert(png, dir.resolve("image.webp"));

        Derived.Ready ready = ready(deriver.derive(webp, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo("webp");
        assertThat(ready.metadata().width()).isEqualTo(500);
        assertThat(decode(ready.thumbnail()).getHeight()).isEqualTo(256);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heif", "avif"})
    void heifAndAvifAreDerivedByLibvipsHeifLoader(String format) throws IOException {
        String resource = format.equals("heif") ? "320x240.heic" : "320x240.avif";
        Path image = dir.resolve("photo-without-extension");
        try (InputStream in = getClass().getResourceAsStream("/photos/" + resource)) {
            Files.copy(in, image);
        }

        Derived.Ready ready = ready(deriver.derive(image, FILE_TIME));

        assertThat(ready.metadata().format()).isEqualTo(format);
        assertThat(ready.metadata().width()).isEqualTo(320);
        assertThat(ready.metadata().height()).isEqualTo(240);
        assertThat(decode(ready.preview()).getWidth()).isEqualTo(320);
        assertThat(decode(ready.thumbnail()).getWidth()).isEqualTo(256);
    }

    /** An APP2 ICC_PROFILE segment (ICC.1, annex B.4) after the SOI marker. */
    private static byte[] withIccProfile(byte[] jpeg, ICC_Profile profile) {
        byte[] data = profile.getData();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + 12 + 2 + data.length;
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        out.writeBytes("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {1, 1});
        out.writeBytes(data);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
