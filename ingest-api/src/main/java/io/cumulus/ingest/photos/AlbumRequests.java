package io.cumulus.ingest.photos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.sync.id.FileId;
import tools.jackson.databind.JsonNode;

/**
 * The members of album and favourite request bodies, each checked before anything is published: an
 * album name is 1 to {@value #MAX_NAME_LENGTH} characters, not only spaces, without control
 * characters; a list of photos holds 1 to {@value #MAX_FILE_IDS} distinct file ids.
 */
final class AlbumRequests {
    static final int MAX_NAME_LENGTH = 200;
    static final int MAX_FILE_IDS = 1_000;
    /** The most photos one album holds. */
    static final int MAX_ALBUM_SIZE = 10_000;

    static String name(JsonNode body) {
        JsonNode n = body.get("name");
        if (n == null || !n.isString()) {
            throw invalidName("name must be a string");
        }
        String name = n.asString();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME_LENGTH || name.isBlank()) {
            throw invalidName("an album name is 1 to " + MAX_NAME_LENGTH + " characters, not only spaces");
        }
        if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) {
            throw invalidName("an album name may not contain control characters or line breaks");
        }
        return name;
    }

    /**
     * The body's {@code fileIds} as photos of some library: a bare file id names a photo of the
     * caller's own library ({@code home}); {@code {"namespaceId", "fileId"}} names one of any library,
     * as album answers show them (a member's contribution, for the owner taking it out or ordering it).
     */
    static List<PhotoKey> photoKeys(JsonNode body, java.util.UUID home) {
        JsonNode ids = body.get("fileIds");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_FILE_IDS) {
            throw invalidFileIds("fileIds must be an array of 1 to " + MAX_FILE_IDS + " file ids");
        }
        List<PhotoKey> list = new ArrayList<>();
        Set<PhotoKey> seen = new HashSet<>();
        for (JsonNode id : ids) {
            PhotoKey key = photoKey(id, home).orElseThrow(() -> invalidFileIds("every member of fileIds is a file id ("
                    + FileId.SYNTAX + ") or {\"namespaceId\": a UUID, \"fileId\": a file id}"));
            if (!seen.add(key)) {
                throw invalidFileIds("fileIds names " + key.fileId() + " twice");
            }
            list.add(key);
        }
        return list;
    }

    /** The optional {@code before}: an album photo, as a file id of the caller's library or {@code {"namespaceId", "fileId"}}. */
    static Optional<PhotoKey> beforeKey(JsonNode body, java.util.UUID home) {
        JsonNode b = body.get("before");
        if (b == null || b.isNull()) {
            return Optional.empty();
        }
        return Optional.of(photoKey(b, home).orElseThrow(() -> new InvalidRequestException("invalid-before", "Invalid before",
                "before must be the file id of a photo of the album")));
    }

    private static Optional<PhotoKey> photoKey(JsonNode node, java.util.UUID home) {
        if (node.isString()) {
            return FileId.isValid(node.asString()) ? Optional.of(new PhotoKey(home, node.asString())) : Optional.empty();
        }
        if (!node.isObject() || node.size() != 2 || !node.path("namespaceId").isString() || !node.path("fileId").isString()
                || !FileId.isValid(node.get("fileId").asString())) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PhotoKey(java.util.UUID.fromString(node.get("namespaceId").asString()), node.get("fileId").asString()));
        } catch (IllegalArgumentException notAUuid) {
            return Optional.empty();
        }
    }

    static InvalidRequestException invalidFileIds(String detail) {
        return new InvalidRequestException("invalid-file-ids", "Invalid file ids", detail);
    }

    private static InvalidRequestException invalidName(String detail) {
        return new InvalidRequestException("invalid-album-name", "Invalid album name", detail);
    }

    private AlbumRequests() {
    }
}
