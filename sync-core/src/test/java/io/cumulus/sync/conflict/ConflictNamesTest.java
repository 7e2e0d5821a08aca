package io.cumulus.sync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.cumulus.sync.path.SyncPath;

class ConflictNamesTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String name(String path) {
        return SyncPath.parse(path).name();
    }

    @Test
    void aCopyIsNamedAfterTheDeviceAndTheEventsDateBeforeTheExtension() {
        assertThat(ConflictNames.conflictedCopy("Docs/photo.jpg", "Phone", AT)).isEqualTo("Docs/photo (Phone's conflicted copy 2026-01-02).jpg");
        assertThat(ConflictNames.conflictedCopy("Docs/photo.jpg", "Phone", AT, 2)).isEqualTo("Docs/photo (Phone's conflicted copy 2026-01-02 2).jpg");
        assertThat(ConflictNames.conflictedCopy(".bashrc", "Laptop", AT)).isEqualTo(".bashrc (Laptop's conflicted copy 2026-01-02)");
        assertThat(ConflictNames.conflictedCopy("archive.tar.gz", "Laptop", AT)).isEqualTo("archive.tar (Laptop's conflicted copy 2026-01-02).gz");
    }

    @Test
    void aNameNearTheLimitGetsAShorterStemAndKeepsItsExtension() {
        // given a 246-byte name, as two devices created it offline
        String original = "x".repeat(242) + ".txt";

        // when
        String first = ConflictNames.conflictedCopy("Notes/" + original, "Laptop", AT);
        String second = ConflictNames.conflictedCopy("Notes/" + original, "Laptop", AT, 2);

        // then both fit in 255 bytes, end as usual, and differ
        assertThat(bytes(name(first))).isEqualTo(255);
        assertThat(first).startsWith("Notes/xxx").endsWith("x (Laptop's conflicted copy 2026-01-02).txt");
        assertThat(bytes(name(second))).isEqualTo(255);
        assertThat(second).endsWith("x (Laptop's conflicted copy 2026-01-02 2).txt");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aStemIsCutBetweenCharactersNeverInsideAnEmojiOrAnAccentedLetter() {
        String emoji = "\uD83D\uDE00".repeat(61) + ".md"; // 247 bytes
        String accents = "e\u0301".repeat(83) + ".md"; // NFD 'é', 3 bytes each: 252 bytes
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67".repeat(13) + ".md"; // 18-byte ZWJ sequences

        for (String original : new String[] {emoji, accents, family}) {
            String copy = ConflictNames.conflictedCopy(original, "Phone", AT);
            String stem = copy.substring(0, copy.indexOf(" (Phone's"));
            assertThat(bytes(copy)).isLessThanOrEqualTo(SyncPath.MAX_SEGMENT_BYTES);
            assertThat(original).startsWith(stem);
            // the cut falls where one repetition ends
            String unit = original.equals(emoji) ? "\uD83D\uDE00" : original.equals(accents) ? "e\u0301"
                    : "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
            assertThat(stem.length() % unit.length()).isZero();
            assertThat(stem).isNotEmpty();
        }
    }

    @Test
    void anAbsurdlyLongExtensionIsPartOfTheName() {
        String original = "report." + "y".repeat(240);

        String copy = ConflictNames.conflictedCopy(original, "Laptop", AT);

        assertThat(bytes(copy)).isLessThanOrEqualTo(SyncPath.MAX_SEGMENT_BYTES);
        assertThat(copy).startsWith("report.yyy").endsWith("y (Laptop's conflicted copy 2026-01-02)");
    }

    @Test
    void aLongDeviceNameIsShortenedAndASlashInItStartsNoFolder() {
        String longName = "\u6f22".repeat(100); // 300 bytes

        String copy = ConflictNames.conflictedCopy("a/notes.txt", longName, AT);
        String slashed = ConflictNames.conflictedCopy("a/notes.txt", "Work/Laptop", AT);

        assertThat(copy).isEqualTo("a/notes (" + "\u6f22".repeat(21) + "'s conflicted copy 2026-01-02).txt");
        assertThat(SyncPath.parse(slashed).segments()).containsExactly("a", "notes (Work-Laptop's conflicted copy 2026-01-02).txt");
    }

    @Test
    void aCopyInADeepFolderStaysWithinThePathLimit() {
        String folder = ("d".repeat(254) + "/").repeat(15) + "e".repeat(150) + "/"; // 3976 bytes
        String deeper = ("d".repeat(254) + "/").repeat(16) + "e".repeat(13) + "/"; // 4094 bytes

        String copy = ConflictNames.conflictedCopy(folder + "n".repeat(100) + ".txt", "Laptop", AT, 3);
        String tight = ConflictNames.conflictedCopy(deeper + "n", "Laptop", AT, 3);

        assertThat(bytes(copy)).isEqualTo(SyncPath.MAX_PATH_BYTES);
        assertThat(copy).startsWith(folder + "nnn").endsWith("n (Laptop's conflicted copy 2026-01-02 3).txt");
        assertThat(tight).isEqualTo(deeper + "~3");
        assertThat(bytes(tight)).isEqualTo(SyncPath.MAX_PATH_BYTES);
    }
}
