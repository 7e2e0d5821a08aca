package io.cumulus.ingest.photos;

import java.util.UUID;

/**
 * A photo of an album as the API shows it: a {@link PhotoView} with the library it lives in
 * ({@code namespaceId}) and its owner's username ({@code owner}: who contributed it). A photo of the
 * viewer's own library reads as in the timeline; a photo of another library shows only its file name
 * as {@code path} (not where its owner keeps it), is never a {@code favourite} (that is its owner's
 * business), and has {@code thumbnail} and {@code preview} addresses under the album, the only place
 * the viewer may fetch them.
 */
record AlbumPhotoView(String fileId, UUID namespaceId, String owner, String path, long size, String format, String takenAt,
                      String takenAtSource, Integer width, Integer height, String camera, String cameraMake,
                      String cameraModel, String lens, Double latitude, Double longitude, String state, String reason,
                      boolean favourite, String thumbnail, String preview) {

    static AlbumPhotoView of(Albums.AlbumPhoto photo, UUID albumId, UUID viewerHome) {
        PhotoView v = PhotoView.of(photo.photo());
        boolean own = photo.namespace().equals(viewerHome);
        String base = "/v1/albums/" + albumId + "/photos/" + photo.namespace() + "/" + v.fileId() + "/";
        String path = own ? v.path() : v.path().substring(v.path().lastIndexOf('/') + 1);
        return new AlbumPhotoView(v.fileId(), photo.namespace(), photo.contributor(), path, v.size(), v.format(), v.takenAt(),
                v.takenAtSource(), v.width(), v.height(), v.camera(), v.cameraMake(), v.cameraModel(), v.lens(), v.latitude(),
                v.longitude(), v.state(), v.reason(), v.favourite(),
                own || v.thumbnail() == null ? v.thumbnail() : base + "thumbnail",
                own || v.preview() == null ? v.preview() : base + "preview");
    }
}
