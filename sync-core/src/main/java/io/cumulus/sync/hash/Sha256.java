package io.cumulus.sync.hash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in the form Cumulus uses everywhere: 64 lowercase hex digits. */
public final class Sha256 {

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    public static String hex(MessageDigest finishedDigest) {
        return HexFormat.of().formatHex(finishedDigest.digest());
    }

    private Sha256() {
    }
}
