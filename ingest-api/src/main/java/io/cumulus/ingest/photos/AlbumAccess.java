package io.cumulus.ingest.photos;

import java.util.UUID;

import io.cumulus.ingest.auth.DeviceSession;

/**
 * Which album a request is about, as its caller may see it: an album of the caller's library, or one
 * shared with the caller (docs/decisions/0032). Any other id, whether unknown, deleted, malformed or
 * another account's album not shared with the caller, is the same {@link AlbumNotFoundException}, so
 * nothing tells an album someone else keeps from one that does not exist.
 */
final class AlbumAccess {
    private final PhotoLibrary library;
    private final Albums albums;

    /** The caller, its home namespace (its own library), and the album as the caller sees it. */
    record Access(DeviceSession session, UUID home, Albums.Album album) {

        boolean owner() {
            return album.ownedByCaller();
        }

        /** @throws NotAlbumOwnerException when the caller is a member, not the owner */
        Access requireOwner(String what) {
            if (!owner()) {
                throw new NotAlbumOwnerException(what);
            }
            return this;
        }
    }

    AlbumAccess(PhotoLibrary library, Albums albums) {
        this.library = library;
        this.albums = albums;
    }

    Access require(DeviceSession session, String albumId) {
        UUID id;
        try {
            id = UUID.fromString(albumId);
        } catch (IllegalArgumentException e) {
            throw new AlbumNotFoundException(albumId);
        }
        UUID home = library.homeNamespace(session.accountId());
        Albums.Album album = albums.album(session.accountId(), home, id).orElseThrow(() -> new AlbumNotFoundException(albumId));
        return new Access(session, home, album);
    }
}
