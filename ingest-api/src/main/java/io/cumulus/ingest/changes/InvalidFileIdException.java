package io.cumulus.ingest.changes;

import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.sync.id.FileId;

/**
 * A file id in a request's address that breaks {@link FileId}'s syntax: no file can have it, so the
 * answer is a 400 rather than a 404 that would suggest the file might exist later.
 */
public final class InvalidFileIdException extends InvalidRequestException {
    static final String SLUG = "invalid-file-id";
    static final String TITLE = "Invalid file id";

    private InvalidFileIdException(String detail) {
        super(SLUG, TITLE, detail);
    }

    /** The id, when it has the syntax of a file id. */
    public static FileId requireValid(String fileId) {
        if (!FileId.isValid(fileId)) {
            throw new InvalidFileIdException("a file id is " + FileId.SYNTAX);
        }
        return new FileId(fileId);
    }
}
