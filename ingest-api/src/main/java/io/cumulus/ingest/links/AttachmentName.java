package io.cumulus.ingest.links;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition: attachment} for a file name chosen by whoever named the file: an ASCII
 * {@code filename} with everything that could break out of the quoted string or name a path replaced
 * by {@code _}, and the exact name as {@code filename*} (RFC 6266 with RFC 5987's UTF-8 encoding),
 * which browsers prefer. The header can never carry a CR, LF, quote or backslash.
 */
final class AttachmentName {

    private AttachmentName() {
    }

    static String contentDisposition(String name) {
        String safe = name.isEmpty() ? "download" : name;
        return "attachment; filename=\"" + ascii(safe) + "\"; filename*=UTF-8''" + percentEncoded(safe);
    }

    static String ascii(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f && "\"\\/;%".indexOf(c) < 0 ? (char) c : '_'));
        return out.toString();
    }

    /** RFC 5987's value-chars: attr-char as it is, every other byte of the UTF-8 as {@code %XX}. */
    static String percentEncoded(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
