package io.cumulus.photos.albums;

import java.util.List;
import java.util.UUID;

import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumPhotoRef;

/**
 * A photo of an album, named by its own library and its file id: file ids are unique only within a
 * namespace, and a shared album holds photos of its members' libraries as well as its owner's.
 */
record PhotoRef(UUID namespace, String fileId) {

    /**
     * The photos an event names: its {@code photos} when it has them, else its {@code fileIds}, which
     * name photos of the album's own namespace (every event written before shared albums).
     */
    static List<PhotoRef> of(AlbumEvent e, UUID albumNamespace) {
        if (!e.getPhotos().isEmpty()) {
            return e.getPhotos().stream().map(PhotoRef::of).toList();
        }
        return e.getFileIds().stream().map(id -> new PhotoRef(albumNamespace, id)).toList();
    }

    /** The photo the added ones go before, or null for the end. */
    static PhotoRef before(AlbumEvent e, UUID albumNamespace) {
        if (e.getBeforePhoto() != null) {
            return of(e.getBeforePhoto());
        }
        return e.getBeforeFileId() == null ? null : new PhotoRef(albumNamespace, e.getBeforeFileId());
    }

    private static PhotoRef of(AlbumPhotoRef ref) {
        return new PhotoRef(UUID.fromString(ref.getNamespaceId()), ref.getFileId());
    }
}
