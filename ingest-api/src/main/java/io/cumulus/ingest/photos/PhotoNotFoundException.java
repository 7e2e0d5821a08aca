package io.cumulus.ingest.photos;

import java.util.Collection;
import java.util.List;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A file id that is no photo of the caller's library: unknown, not an image, deleted, or another account's. */
final class PhotoNotFoundException extends ProblemException {

    PhotoNotFoundException(String fileId) {
        this(List.of(fileId));
    }

    PhotoNotFoundException(Collection<String> fileIds) {
        super(HttpStatus.NOT_FOUND, "photo-not-found", "Photo not found",
                (fileIds.size() == 1 ? "no photo " + fileIds.iterator().next() : "no photos " + String.join(", ", fileIds))
                        + " in this account's library");
        property("fileIds", List.copyOf(fileIds));
    }
}
