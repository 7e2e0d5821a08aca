package io.cumulus.sync.id;

/**
 * The stable id of a file in a namespace, kept across renames and edits: 1 to {@value #MAX_LENGTH}
 * characters of {@code A-Z a-z 0-9 . _ ~ -} (RFC 3986's unreserved characters), other than
 * {@code .} and {@code ..}. Clients make them (the {@code cumulus} client uses random UUIDs) and so
 * does the reconciler ({@code conflict-<batchId>-<index>} for a kept concurrent version). The
 * alphabet is what a URL path segment carries without percent-encoding and what no proxy or
 * servlet container rewrites, so every endpoint that takes a file id in its path can address every
 * file; {@code .} and {@code ..} are excluded because URL resolution removes them.
 */
public record FileId(String value) {
    public static final int MAX_LENGTH = 128;

    /** The rule in one sentence, for error messages. */
    public static final String SYNTAX = "1 to " + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -, not '.' or '..'";

    /** @throws IllegalArgumentException when {@code value} breaks the syntax */
    public FileId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("a file id is " + SYNTAX + ", not " + (value == null ? "null" : "'" + value + "'"));
        }
    }

    public static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || value.equals(".") || value.equals("..")) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '~' || c == '-';
            if (!unreserved) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
