package io.cumulus.sync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;

class ConflictNamesProperties {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    /** Pieces of names: ASCII, dots and spaces, 2-, 3- and 4-byte characters, combining accents, a ZWJ emoji sequence. */
    private static final List<String> PIECES = List.of("a", "Z", "7", ".", " ", "-", "(", ")", "\u00e9", "e\u0301", "\u6f22",
            "\uD83D\uDE00", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\u0301", ".txt", ".jpeg");

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean valid(String path) {
        try {
            SyncPath.parse(path);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** As many pieces as fit in 255 bytes, so that names at the limit are common. */
    private static String within255(List<String> pieces) {
        StringBuilder name = new StringBuilder();
        for (String piece : pieces) {
            if (bytes(name + piece) > SyncPath.MAX_SEGMENT_BYTES) {
                break;
            }
            name.append(piece);
        }
        return name.toString();
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> mixed = Arbitraries.of(PIECES).list().ofMinSize(1).ofMaxSize(260).map(ConflictNamesProperties::within255);
        Arbitrary<String> longExtension = Combinators.combine(mixed, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(40).ofMaxLength(120))
                .as((stem, ext) -> within255(List.of(stem.isEmpty() ? "x" : stem.substring(0, Math.min(stem.length(), 40)), ".", ext)));
        Arbitrary<String> full = Arbitraries.of("x", "\u00e9", "\u6f22", "\uD83D\uDE00").map(c -> within255(java.util.Collections.nCopies(255, c)));
        return Arbitraries.oneOf(mixed, longExtension, full).filter(n -> !n.isEmpty() && valid(n));
    }

    @Provide
    Arbitrary<String> folders() {
        // from none to deep enough that the path limit, not the segment limit, decides the room
        return Arbitraries.integers().between(0, 16).flatMap(segments -> Arbitraries.integers().between(1, 254).map(last ->
                segments == 0 ? "" : ("f".repeat(254) + "/").repeat(segments - 1) + "g".repeat(last) + "/"));
    }

    @Provide
    Arbitrary<String> devices() {
        return Arbitraries.oneOf(Arbitraries.of("Laptop", "Another device", "Work/Laptop", "\u6f22".repeat(100), "\uD83D\uDE00".repeat(50)),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(100));
    }

    @Property
    void everyCopyNameIsAValidSegmentOfAtMost255BytesInAValidPath(@ForAll("folders") String folder, @ForAll("names") String name,
                                                                @ForAll("devices") String device, @ForAll @IntRange(min = 1, max = 12) int n) {
        String path = folder + name;
        if (!valid(path)) {
            return; // the original itself is too long for its folder
        }

        String copy = ConflictNames.conflictedCopy(path, device, AT, n);

        assertThat(valid(copy)).as("valid: %s", copy).isTrue();
        SyncPath parsed = SyncPath.parse(copy);
        assertThat(bytes(parsed.name())).isLessThanOrEqualTo(SyncPath.MAX_SEGMENT_BYTES);
        assertThat(bytes(copy)).isLessThanOrEqualTo(SyncPath.MAX_PATH_BYTES);
        assertThat(folder.isEmpty() ? parsed.parent() : parsed.parent() + "/").isEqualTo(folder);
    }

    @Property(tries = 300)
    void theNumberedAlternativesOfOneNameAreAllDifferent(@ForAll("folders") String folder, @ForAll("names") String name,
                                                          @ForAll("devices") String device) {
        String path = folder + name;
        if (!valid(path)) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int n = 1; n <= 120; n++) {
            assertThat(seen.add(ConflictNames.conflictedCopy(path, device, AT, n))).as("alternative %d is new", n).isTrue();
        }
    }
}
