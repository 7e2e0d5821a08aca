package io.cumulus.sync.conflict;

import java.text.BreakIterator;
import java.util.Locale;

/**
 * The longest beginning of a string that fits a number of UTF-8 bytes, cut where a reader would
 * cut it: between user-perceived characters (extended grapheme clusters, so an accent stays on its
 * letter and an emoji sequence stays whole), or, when even the first of those does not fit, between
 * code points (never inside a surrogate pair, whose halves have no UTF-8 encoding of their own).
 */
final class Utf8Prefix {

    /** The UTF-8 length of a string without unpaired surrogates (a valid path segment). */
    static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        return bytes;
    }

    /** {@code s} itself when it fits in {@code maxBytes}, else its longest fitting beginning (possibly empty). */
    static String of(String s, int maxBytes) {
        if (maxBytes <= 0) {
            return "";
        }
        if (utf8Length(s) <= maxBytes) {
            return s;
        }
        BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
        graphemes.setText(s);
        int end = 0;
        int bytes = 0;
        for (int next = graphemes.next(); next != BreakIterator.DONE; next = graphemes.next()) {
            int more = utf8Length(s.subSequence(end, next));
            if (bytes + more > maxBytes) {
                break;
            }
            bytes += more;
            end = next;
        }
        if (end > 0) {
            return s.substring(0, end);
        }
        // The first character is a sequence longer than the room (a letter under many accents): cut by code point.
        bytes = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int more = utf8Length(new String(Character.toChars(cp)));
            if (bytes + more > maxBytes) {
                break;
            }
            bytes += more;
            end += Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    private Utf8Prefix() {
    }
}
