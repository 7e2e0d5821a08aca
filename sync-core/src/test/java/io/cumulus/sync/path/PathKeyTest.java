package io.cumulus.sync.path;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;

import org.junit.jupiter.api.Test;

class PathKeyTest {

    @Test
    void nfdAndNfcFormsOfANameHaveTheSameKey() {
        // given "é" as one code point and as 'e' + combining acute accent
        String nfc = "caf\u00e9.txt";
        String nfd = "cafe\u0301.txt";
        assertThat(Normalizer.normalize(nfd, Normalizer.Form.NFC)).isEqualTo(nfc);

        // then
        assertThat(PathKey.of(nfd)).isEqualTo(PathKey.of(nfc));
    }

    @Test
    void namesDifferingOnlyInCaseHaveTheSameKey() {
        assertThat(PathKey.of("Photos/IMG_0001.JPG")).isEqualTo(PathKey.of("photos/img_0001.jpg"));
    }

    @Test
    void sharpSFoldsToSs() {
        assertThat(PathKey.of("Straße")).isEqualTo(PathKey.of("STRASSE"));
        assertThat(PathKey.of("Straße")).isEqualTo(PathKey.of("strasse"));
    }

    @Test
    void caseAndNormalisationDifferencesCombine() {
        // NFD "Ä" in a folder against NFC "ä" upper-cased elsewhere
        assertThat(PathKey.of("Stra\u00dfe/A\u0308.txt")).isEqualTo(PathKey.of("STRASSE/\u00e4.TXT"));
    }

    @Test
    void differentNamesHaveDifferentKeys() {
        assertThat(PathKey.of("cafe.txt")).isNotEqualTo(PathKey.of("caf\u00e9.txt"));
        assertThat(PathKey.of("a/b")).isNotEqualTo(PathKey.of("a/c"));
    }

    @Test
    void aKeyNeverChangesTheSegmentStructure() {
        assertThat(PathKey.of("A/B/C").value()).isEqualTo("a/b/c");
    }
}
