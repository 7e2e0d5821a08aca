package io.cumulus.ingest.changes;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * A change of a batch that breaks a rule; the problem names the change by its index in the
 * batch ({@code changeIndex}) and the slug names the rule: {@code invalid-change},
 * {@code invalid-file-id}, {@code invalid-path} (with the path's {@code reason}),
 * {@code invalid-vector} or {@code invalid-manifest}.
 */
public final class InvalidChangeException extends InvalidRequestException {

    private InvalidChangeException(String slug, String title, int index, String detail) {
        super(slug, title, "changes[" + index + "]: " + detail);
        with("changeIndex", index);
    }

    static InvalidChangeException change(int index, String detail) {
        return new InvalidChangeException("invalid-change", "Invalid change", index, detail);
    }

    static InvalidChangeException fileId(int index, String detail) {
        return new InvalidChangeException(InvalidFileIdException.SLUG, InvalidFileIdException.TITLE, index, detail);
    }

    static InvalidChangeException path(int index, String reason, String detail) {
        InvalidChangeException e = new InvalidChangeException("invalid-path", "Invalid path", index, detail);
        e.with("reason", reason);
        return e;
    }

    static InvalidChangeException vector(int index, String detail) {
        return new InvalidChangeException("invalid-vector", "Invalid version vector", index, detail);
    }

    static InvalidChangeException manifest(int index, String detail) {
        return new InvalidChangeException("invalid-manifest", "Invalid manifest", index, detail);
    }
}
