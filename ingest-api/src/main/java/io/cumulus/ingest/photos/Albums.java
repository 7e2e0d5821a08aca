package io.cumulus.ingest.photos;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * Reads of the albums the album projection keeps in {@code photos.albums} and {@code album_photos},
 * every one within one namespace. An album lists only the photos whose files still exist; its count
 * and cover (its first photo) are of those.
 */
final class Albums {
    private static final String VISIBLE_PHOTOS = """
            photos.album_photos ap JOIN photos.photos p ON p.namespace_id = ap.namespace_id AND p.file_id = ap.file_id""";

    private final IngestDatabase db;

    /** A live album with how many photos it shows and its first. */
    record Album(UUID albumId, String name, Instant createdAt, Instant updatedAt, long count, String coverFileId) {
    }

    Albums(IngestDatabase db) {
        this.db = db;
    }

    /** The namespace's live albums, newest first. */
    List<Album> list(UUID namespace) {
        return db.jdbc().sql(select() + " WHERE a.namespace_id = ? AND a.deleted_at IS NULL ORDER BY a.created_at DESC, a.album_id")
                .param(namespace).query((rs, i) -> album(rs)).list();
    }

    Optional<Album> album(UUID namespace, UUID albumId) {
        return db.jdbc().sql(select() + " WHERE a.namespace_id = ? AND a.album_id = ? AND a.deleted_at IS NULL")
                .params(namespace, albumId).query((rs, i) -> album(rs)).optional();
    }

    /** The album's photos that still exist, in the album's order. */
    List<Photo> photos(UUID namespace, UUID albumId) {
        return db.jdbc().sql("SELECT " + PhotoLibrary.COLUMNS + " FROM " + VISIBLE_PHOTOS
                        + " LEFT JOIN photos.favourites f ON f.namespace_id = p.namespace_id AND f.file_id = p.file_id"
                        + " WHERE ap.namespace_id = ? AND ap.album_id = ? ORDER BY ap.position")
                .params(namespace, albumId).query((rs, i) -> PhotoLibrary.photo(rs)).list();
    }

    /** Every file id the album holds, in order, including those whose files were deleted since. */
    List<String> fileIds(UUID namespace, UUID albumId) {
        return db.jdbc().sql("SELECT file_id FROM photos.album_photos WHERE namespace_id = ? AND album_id = ? ORDER BY position")
                .params(namespace, albumId).query(String.class).list();
    }

    private static String select() {
        return "SELECT a.album_id, a.name, a.created_at, a.updated_at,"
                + " (SELECT count(*) FROM " + VISIBLE_PHOTOS + " WHERE ap.namespace_id = a.namespace_id AND ap.album_id = a.album_id) AS count,"
                + " (SELECT ap.file_id FROM " + VISIBLE_PHOTOS + " WHERE ap.namespace_id = a.namespace_id AND ap.album_id = a.album_id"
                + " ORDER BY ap.position LIMIT 1) AS cover"
                + " FROM photos.albums a";
    }

    private static Album album(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Album(rs.getObject("album_id", UUID.class), rs.getString("name"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant(), rs.getLong("count"), rs.getString("cover"));
    }
}
