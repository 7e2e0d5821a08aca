package io.cumulus.sync.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.Normalizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncPathTest {

    @Test
    void aNestedPathSplitsIntoSegmentsNameAndParent() {
        // when
        SyncPath path = SyncPath.parse("Documents/Taxes 2025/return.pdf");

        // then
        assertThat(path.value()).isEqualTo("Documents/Taxes 2025/return.pdf");
        assertThat(path.segments()).containsExactly("Documents", "Taxes 2025", "return.pdf");
        assertThat(path.name()).isEqualTo("return.pdf");
        assertThat(path.parent()).isEqualTo("Documents/Taxes 2025");
        assertThat(path.portable()).isTrue();
        assertThat(path.nonPortableReasons()).isEmpty();
    }

    @Test
    void aTopLevelEntryHasAnEmptyParent() {
        SyncPath path = SyncPath.parse("notes.txt");

        assertThat(path.segments()).containsExactly("notes.txt");
        assertThat(path.name()).isEqualTo("notes.txt");
        assertThat(path.parent()).isEmpty();
    }

    @Test
    void anNfdNameIsKeptByteExactButCollidesWithItsNfcForm() {
        // given a name as a Mac sends it: 'e' followed by a combining acute accent
        String nfd = Normalizer.normalize("Café/résumé.txt", Normalizer.Form.NFD);
        String nfc = Normalizer.normalize(nfd, Normalizer.Form.NFC);
        assertThat(nfd).isNotEqualTo(nfc);

        // when
        SyncPath path = SyncPath.parse(nfd);

        // then the value is untouched, only the key is normalised
        assertThat(path.value()).isEqualTo(nfd);
        assertThat(path.name()).isEqualTo(Normalizer.normalize("résumé.txt", Normalizer.Form.NFD));
        assertThat(path.key()).isEqualTo(SyncPath.parse(nfc).key());
        assertThat(path.key()).isEqualTo(PathKey.of(nfd));
    }

    @Test
    void dotsInsideANameAndHiddenFilesAreFine() {
        assertThat(SyncPath.parse(".config/...weird/a..b").segments()).containsExactly(".config", "...weird", "a..b");
    }

    @Test
    void supplementaryCharactersAreValid() {
        assertThat(SyncPath.parse("photos/🐈 cat.jpg").name()).isEqualTo("🐈 cat.jpg");
    }

    @ParameterizedTest(name = "{0} is rejected as {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''          | empty",
            "/etc/passwd | absolute",
            "a//b        | empty-segment",
            "a/b/        | empty-segment",
            "./a         | dot-segment",
            "a/./b       | dot-segment",
            "a/../../b   | dot-segment",
            "..          | dot-segment",
    })
    void invalidPathsAreRejectedWithTheirReason(String raw, String reason) {
        assertThatThrownBy(() -> SyncPath.parse(raw))
                .isInstanceOfSatisfying(InvalidPathException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void aNullPathIsEmpty() {
        assertThatThrownBy(() -> SyncPath.parse(null))
                .isInstanceOfSatisfying(InvalidPathException.class, e -> assertThat(e.reason()).isEqualTo("empty"));
    }

    @Test
    void aNulCharacterIsRejected() {
        assertThatThrownBy(() -> SyncPath.parse("a/b\u0000.txt"))
                .isInstanceOfSatisfying(InvalidPathException.class, e -> assertThat(e.reason()).isEqualTo("nul-character"));
    }

    @Test
    void unpairedSurrogatesAreRejected() {
        for (String raw : new String[] {"a\uD83Db", "a\uDC08b", "trailing\uD83D", "\uDC08leading"}) {
            assertThatThrownBy(() -> SyncPath.parse(raw))
                    .isInstanceOfSatisfying(InvalidPathException.class,
                            e -> assertThat(e.reason()).isEqualTo("unpaired-surrogate"));
        }
    }

    @Test
    void aSegmentMayHave255Utf8BytesButNot256() {
        // given 'é' is two UTF-8 bytes
        String max = "é".repeat(127) + "a";
        String tooLong = "é".repeat(128);

        assertThat(SyncPath.parse("dir/" + max).name()).isEqualTo(max);
        assertThatThrownBy(() -> SyncPath.parse("dir/" + tooLong + "/file"))
                .isInstanceOfSatisfying(InvalidPathException.class,
                        e -> assertThat(e.reason()).isEqualTo("segment-too-long"));
    }

    @Test
    void aSegmentOfFourByteCharactersCountsFourBytesEach() {
        // 64 × 🐈 is 128 UTF-16 chars but 256 UTF-8 bytes
        assertThat(SyncPath.parse("🐈".repeat(63)).name()).hasSize(126);
        assertThatThrownBy(() -> SyncPath.parse("🐈".repeat(64)))
                .isInstanceOfSatisfying(InvalidPathException.class,
                        e -> assertThat(e.reason()).isEqualTo("segment-too-long"));
    }

    @Test
    void aPathMayHave4096Utf8BytesButNot4097() {
        // given 15 segments of 255 bytes and one of 254, joined by 15 slashes = 4094 bytes
        String base = "x".repeat(254) + ("/" + "x".repeat(255)).repeat(15);
        assertThat(base.length()).isEqualTo(4094);

        assertThat(SyncPath.parse(base + "/y").value()).hasSize(4096);
        assertThatThrownBy(() -> SyncPath.parse(base + "/é"))
                .isInstanceOfSatisfying(InvalidPathException.class,
                        e -> assertThat(e.reason()).isEqualTo("path-too-long"));
    }

    @ParameterizedTest(name = "{0} is valid but not portable: {1}")
    @CsvSource(delimiter = ';', quoteCharacter = '\'', value = {
            "a/b<c            ; '<'",
            "b>c              ; '>'",
            "12:30 notes.txt  ; ':'",
            "say \"hi\"       ; '\"'",
            "back\\slash      ; '\\'",
            "pipe|d           ; '|'",
            "what?            ; '?'",
            "star*.txt        ; '*'",
            "CON              ; device name CON",
            "docs/con.txt     ; device name CON",
            "prn              ; device name PRN",
            "Aux.tar.gz       ; device name AUX",
            "nul              ; device name NUL",
            "com1             ; device name COM1",
            "COM9.log         ; device name COM9",
            "lpt1             ; device name LPT1",
            "LPT9.txt         ; device name LPT9",
            "'dir/trailing.'  ; ends with a dot",
            "'trailing /x'    ; ends with a space",
    })
    void windowsUnfriendlyNamesAreValidButFlagged(String raw, String expectedInReason) {
        // when
        SyncPath path = SyncPath.parse(raw);

        // then
        assertThat(path.value()).isEqualTo(raw);
        assertThat(path.portable()).isFalse();
        assertThat(path.nonPortableReasons()).anySatisfy(reason -> assertThat(reason).contains(expectedInReason));
    }

    @Test
    void controlCharactersAreValidButFlagged() {
        SyncPath path = SyncPath.parse("tab\there/bell\u0007.txt");

        assertThat(path.portable()).isFalse();
        assertThat(path.nonPortableReasons()).hasSize(2)
                .anySatisfy(reason -> assertThat(reason).contains("U+0009"))
                .anySatisfy(reason -> assertThat(reason).contains("U+0007"));
    }

    @Test
    void namesThatMerelyStartLikeDeviceNamesArePortable() {
        for (String raw : new String[] {"CONSOLE.txt", "com10", "lpt0", "auxiliary", "null", "nul1", "com.txt"}) {
            assertThat(SyncPath.parse(raw).nonPortableReasons()).as(raw).isEmpty();
        }
    }

    @Test
    void everyProblemOfEverySegmentIsReported() {
        SyncPath path = SyncPath.parse("con/a:b?./ok");

        assertThat(path.nonPortableReasons()).hasSize(4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            ".cumulus",
            "Photos/.cumulus/state.db",
            ".CUMULUS",
            ".Cumulus/x",
            // the long s folds to 's', as on a case-insensitive APFS or NTFS volume
            ".cumulu\u017F",
            // Windows drops trailing dots and spaces: '.cumulus.' is the folder '.cumulus'
            "a/.cumulus.",
            "'.cumulus '",
            ".cumulus-tmp-1b2c3d",
            "Docs/.cumulus-tmp-",
            ".CUMULUS-TMP-x"})
    void theClientsStateFolderAndTemporaryFilesAreReserved(String path) {
        assertThatThrownBy(() -> SyncPath.parse(path))
                .isInstanceOfSatisfying(InvalidPathException.class, e -> {
                    assertThat(e.reason()).isEqualTo("reserved-name");
                    assertThat(e.getMessage()).contains(".cumulus");
                });
    }

    @ParameterizedTest
    @CsvSource({".cumulusdir", "Photos/2025/.cumulusdir", ".cumulusignore", ".cumulus.txt", ".cumulus-tmp", ".cumulus_tmp-1", "x.cumulus", "cumulus", ".cumulus~"})
    void namesThatOnlyResembleTheReservedOnesAreValid(String raw) {
        assertThat(SyncPath.parse(raw).value()).isEqualTo(raw);
    }
}
