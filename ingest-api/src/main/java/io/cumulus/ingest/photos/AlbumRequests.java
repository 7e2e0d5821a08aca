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

    /** The body's {@code fileIds}: 1 to {@value #MAX_FILE_IDS} distinct file ids. */
    static List<String> fileIds(JsonNode body) {
        JsonNode ids = body.get("fileIds");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_FILE_IDS) {
            throw invalidFileIds("fileIds must be an array of 1 to " + MAX_FILE_IDS + " file ids");
        }
        List<String> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode id : ids) {
            if (!id.isString() || !FileId.isValid(id.asString())) {
                throw invalidFileIds("every member of fileIds is a file id (" + FileId.SYNTAX + ")");
            }
            if (!seen.add(id.asString())) {
                throw invalidFileIds("fileIds names " + id.asString() + " twice");
            }
            list.add(id.asString());
        }
        return list;
    }

    /** The optional {@code before}: the file id of an album photo. */
    static Optional<String> before(JsonNode body) {
        JsonNode b = body.get("before");
        if (b == null || b.isNull()) {
            return Optional.empty();
        }
        if (!b.isString() || !FileId.isValid(b.asString())) {
            throw new InvalidRequestException("invalid-before", "Invalid before", "before must be the file id of a photo of the album");
        }
        return Optional.of(b.asString());
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
