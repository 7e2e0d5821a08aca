package io.cumulus.ingest.links;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import io.cumulus.sync.hash.Sha256;

/**
 * The secret of a public link: 32 random bytes (256 bits, well above the 128 an unguessable token
 * needs), written as 43 characters of unpadded base64url so that it sits in a URL path as it is. The
 * server keeps only {@link #sha256()}; the token itself is shown once, to the link's maker.
 */
record LinkToken(String value) {
    static final int BYTES = 32;
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9_-]{43}");

    LinkToken {
        if (!isWellFormed(value)) {
            throw new IllegalArgumentException("a link token is 43 base64url characters");
        }
    }

    static LinkToken random(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return new LinkToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** Whether a string from a request could be a token at all: anything else is answered as an unknown link. */
    static boolean isWellFormed(String value) {
        return value != null && SYNTAX.matcher(value).matches();
    }

    /** What the database stores and is searched by: the SHA-256 of the token's characters, in hex. */
    String sha256() {
        return Sha256.hex(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "LinkToken[redacted]";
    }
}
