package io.cumulus.ingest.auth;

import java.util.regex.Pattern;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * What a username, a password and a device name must look like. Usernames are 1-64 characters of
 * {@code [A-Za-z0-9._-]}, so they are safe in URLs, logs and file names; passwords are 8-1024
 * characters (the upper bound keeps a request from buying unbounded hashing work).
 */
public final class CredentialRules {
    public static final int MIN_PASSWORD_LENGTH = 8;
    public static final int MAX_PASSWORD_LENGTH = 1024;
    public static final int MAX_DEVICE_NAME_LENGTH = 100;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static String username(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidRequestException("invalid-username", "Invalid username",
                    "a username is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        }
        return username;
    }

    public static String newPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH || password.length() > MAX_PASSWORD_LENGTH) {
            throw new InvalidRequestException("weak-password", "Password too weak",
                    "a password has " + MIN_PASSWORD_LENGTH + " to " + MAX_PASSWORD_LENGTH + " characters");
        }
        return password;
    }

    public static String deviceName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_DEVICE_NAME_LENGTH
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("invalid-device-name", "Invalid device name",
                    "a device name is 1 to " + MAX_DEVICE_NAME_LENGTH + " characters, not blank, without control characters");
        }
        return name;
    }

    private CredentialRules() {
    }
}
