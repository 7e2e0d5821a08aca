package io.cumulus.ingest.shares;

import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.auth.CredentialRules;
import io.cumulus.ingest.namespaces.Role;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;
import tools.jackson.databind.JsonNode;

/**
 * The members of the shares API's request bodies and path segments, each checked on its own so that
 * a refusal names exactly what was wrong. A malformed share id is not an error of its own: it is a
 * share that does not exist.
 */
final class ShareRequests {
    /** Long enough for any folder name, short enough for listings and logs. */
    static final int MAX_NAME_LENGTH = 255;

    /** The share id of a path, or empty when it is not a UUID (no share has it). */
    static Optional<UUID> shareId(String raw) {
        return uuid(raw);
    }

    /** An account id of a path segment, or empty when it is not a UUID. */
    static Optional<UUID> accountId(String raw) {
        return uuid(raw);
    }

    /** A share's name: 1 to {@value #MAX_NAME_LENGTH} characters, not blank, without control characters. */
    static String name(JsonNode body) {
        JsonNode node = body.get("name");
        String name = node != null && node.isString() ? node.stringValue() : null;
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)
                || hasUnpairedSurrogate(name)) {
            throw new InvalidRequestException("invalid-share-name", "Invalid share name",
                    "name is required: 1 to " + MAX_NAME_LENGTH + " characters, not blank, without control characters");
        }
        return name;
    }

    /**
     * Where a member mounts a share: a valid relative {@link SyncPath} (no {@code ..} or {@code .}
     * segment, no leading or trailing {@code /}, no empty segment, not the client's state folder) that
     * every major platform can create, since each of the member's devices makes a folder there.
     */
    static String mountPath(JsonNode body) {
        JsonNode node = body.get("mountPath");
        if (node == null || !node.isString()) {
            throw invalidMountPath("missing", "mountPath is required: a relative path such as \"Shared/Family\"");
        }
        SyncPath path;
        try {
            path = SyncPath.parse(node.stringValue());
        } catch (InvalidPathException e) {
            throw invalidMountPath(e.reason(), e.getMessage());
        }
        if (!path.portable()) {
            throw invalidMountPath("not-portable", "a mount path must be creatable on every platform: "
                    + String.join("; ", path.nonPortableReasons()));
        }
        return path.value();
    }

    /** A role a member may be given: {@code viewer} or {@code editor}; {@code owner} only moves by transfer. */
    static Role role(JsonNode body) {
        JsonNode node = body.get("role");
        if (node != null && node.isString()) {
            switch (node.stringValue()) {
                case "viewer" -> {
                    return Role.VIEWER;
                }
                case "editor" -> {
                    return Role.EDITOR;
                }
                default -> {
                }
            }
        }
        throw new InvalidRequestException("invalid-role", "Invalid role",
                "role is required: \"viewer\" or \"editor\" (ownership moves only by POST /v1/shares/{id}/owner)");
    }

    static String username(JsonNode body) {
        JsonNode node = body.get("username");
        return CredentialRules.username(node != null && node.isString() ? node.stringValue() : null);
    }

    /** The account id of a transfer's body. */
    static UUID newOwner(JsonNode body) {
        JsonNode node = body.get("accountId");
        return uuid(node != null && node.isString() ? node.stringValue() : null).orElseThrow(() ->
                InvalidRequestException.invalid("accountId is required: the account id of a member of the share"));
    }

    private static InvalidRequestException invalidMountPath(String reason, String detail) {
        return new InvalidRequestException("invalid-mount-path", "Invalid mount path", detail).with("reason", reason);
    }

    private static Optional<UUID> uuid(String raw) {
        if (raw == null || raw.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID id = UUID.fromString(raw);
            return id.toString().equalsIgnoreCase(raw) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private ShareRequests() {
    }
}
