package io.cumulus.sync.path;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The identity of a path for collision checks: NFC-normalised and case-folded, segment by
 * segment. Two paths with the same key may not both exist in a namespace; the names themselves
 * are always stored byte-exact as the device sent them.
 */
public record PathKey(String value) {

    public PathKey {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a path key cannot be empty");
        }
    }

    /** The key of a (valid) path: {@code Straße/Ä.txt} (NFD) and {@code STRASSE/ä.TXT} collide. */
    public static PathKey of(String path) {
        String nfc = Normalizer.normalize(path, Normalizer.Form.NFC);
        // Full case folding: upper then lower maps ß to ss and the Greek final sigma to sigma.
        String folded = nfc.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return new PathKey(Normalizer.normalize(folded, Normalizer.Form.NFC));
    }
}
