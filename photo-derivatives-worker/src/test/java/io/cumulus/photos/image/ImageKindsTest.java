package io.cumulus.photos.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageKindsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "jpeg,     FF D8 FF E0 00 10 4A 46 49 46",
            "png,      89 50 4E 47 0D 0A 1A 0A 00 00 00 0D",
            "gif,      47 49 46 38 39 61 01 00",
            "gif,      47 49 46 38 37 61 01 00",
            "webp,     52 49 46 46 24 00 00 00 57 45 42 50 56 50 38 20",
            "tiff,     49 49 2A 00 08 00 00 00",
            "tiff,     4D 4D 00 2A 00 00 00 08",
            "raw-cr2,  49 49 2A 00 10 00 00 00 43 52 02 00",
            "raw-orf,  49 49 52 4F 08 00 00 00",
            "raw-rw2,  49 49 55 00 18 00 00 00",
            "heif,     00 00 00 18 66 74 79 70 68 65 69 63 00 00 00 00 6D 69 66 31",
            "avif,     00 00 00 1C 66 74 79 70 61 76 69 66 00 00 00 00 61 76 69 66 6D 69 66 31",
            "avif,     00 00 00 1C 66 74 79 70 6D 69 66 31 00 00 00 00 6D 69 66 31 61 76 69 66",
            "heif,     00 00 00 1C 66 74 79 70 6D 69 66 31 00 00 00 00 6D 69 66 31 68 65 69 63",
            "raw-cr3,  00 00 00 18 66 74 79 70 63 72 78 20 00 00 00 01 63 72 78 20",
    })
    void recognisesAFormatByItsFirstBytes(String format, String hex) {
        assertThat(ImageKinds.recognise(bytes(hex))).contains(format);
    }

    @Test
    void recognisesFujifilmAndOldCanonRawsByTheirSignatures() {
        assertThat(ImageKinds.recognise("FUJIFILMCCD-RAW 0201FF383501".getBytes(StandardCharsets.ISO_8859_1)))
                .contains("raw-raf");
        assertThat(ImageKinds.recognise(bytes("49 49 1A 00 00 00 48 45 41 50 43 43 44 52 02 00")))
                .contains("raw-crw");
    }

    @Test
    void recognisesNothingInTextVideosEmptyOrTooShortHeads() {
        assertThat(ImageKinds.recognise("hello, world".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageKinds.recognise(bytes("00 00 00 18 66 74 79 70 69 73 6F 6D 00 00 02 00 69 73 6F 6D 6D 70 34 31")))
                .as("an MP4 video").isEmpty();
        assertThat(ImageKinds.recognise(new byte[0])).isEmpty();
        assertThat(ImageKinds.recognise(bytes("FF D8"))).isEmpty();
        assertThat(ImageKinds.recognise(null)).isEmpty();
    }

    @Test
    void tellsACameraMakersTiffFromAPlainOneByItsExif() {
        assertThat(ImageKinds.refineTiff("NIKON CORPORATION", false, true)).isEqualTo("raw-nef");
        assertThat(ImageKinds.refineTiff("SONY", false, true)).isEqualTo("raw-arw");
        assertThat(ImageKinds.refineTiff("PENTAX", false, true)).isEqualTo("raw-pef");
        assertThat(ImageKinds.refineTiff("Apple", true, false)).as("a DNG says so").isEqualTo("raw-dng");
        assertThat(ImageKinds.refineTiff("NIKON CORPORATION", false, false))
                .as("an editor's TIFF of a Nikon photo: one plain image").isEqualTo("tiff");
        assertThat(ImageKinds.refineTiff("EPSON", false, true)).as("a scanner").isEqualTo("tiff");
        assertThat(ImageKinds.refineTiff(null, false, true)).isEqualTo("tiff");
    }

    private static byte[] bytes(String hex) {
        String[] parts = hex.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
