package io.cumulus.ingest.photos;

import java.io.IOException;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.changes.InvalidFileIdException;

/**
 * The thumbnail and preview of every photo of an album, for whoever may read the album: its owner
 * and its members (docs/decisions/0032). {@code /v1/photos/...} stays within the caller's own
 * library, so a photo another account contributed is served here, through the album that shows it,
 * and only while it does. A photo the album does not hold is not found, as an unknown one.
 */
@RestController
public class AlbumPhotoController {
    private final AlbumAccess access;
    private final Albums albums;
    private final PhotoDerivatives derivatives;

    AlbumPhotoController(AlbumAccess access, Albums albums, BlobStore blobs) {
        this.access = access;
        this.albums = albums;
        this.derivatives = new PhotoDerivatives(blobs);
    }

    @GetMapping("/v1/albums/{albumId}/photos/{namespaceId}/{fileId}/thumbnail")
    ResponseEntity<byte[]> thumbnail(DeviceSession session, @PathVariable String albumId, @PathVariable String namespaceId,
                                     @PathVariable String fileId,
                                     @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) throws IOException {
        return derivatives.serve(require(session, albumId, namespaceId, fileId), Photo.Derivative.THUMBNAIL, ifNoneMatch);
    }

    @GetMapping("/v1/albums/{albumId}/photos/{namespaceId}/{fileId}/preview")
    ResponseEntity<byte[]> preview(DeviceSession session, @PathVariable String albumId, @PathVariable String namespaceId,
                                   @PathVariable String fileId,
                                   @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) throws IOException {
        return derivatives.serve(require(session, albumId, namespaceId, fileId), Photo.Derivative.PREVIEW, ifNoneMatch);
    }

    private Photo require(DeviceSession session, String albumId, String namespaceId, String fileId) {
        AlbumAccess.Access a = access.require(session, albumId);
        InvalidFileIdException.requireValid(fileId);
        UUID namespace;
        try {
            namespace = UUID.fromString(namespaceId);
        } catch (IllegalArgumentException e) {
            throw new PhotoNotFoundException(fileId);
        }
        return albums.photo(a.album(), a.home(), new PhotoKey(namespace, fileId))
                .orElseThrow(() -> new PhotoNotFoundException(fileId)).photo();
    }
}
