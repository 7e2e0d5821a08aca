package io.cumulus.ingest.photos;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * Reads of the photo library in the {@code photos} schema (written by the photo derivatives worker),
 * every one within one namespace: a photo of another namespace is not found, the same as a photo
 * that does not exist. A photo is listed while its file exists (the worker deletes the rows of
 * deleted files).
 */
final class PhotoLibrary {
    static final String COLUMNS = """
            p.file_id, p.path, p.size, p.state, p.reason, p.format, p.taken_at, p.taken_at_offset, p.taken_at_source,
            p.width, p.height, p.latitude, p.longitude, p.camera_make, p.camera_model, p.lens, p.thumbnail_id,
            p.preview_id, (f.file_id IS NOT NULL) AS favourite""";
    static final String WITH_FAVOURITES = """
            photos.photos p LEFT JOIN photos.favourites f ON f.namespace_id = p.namespace_id AND f.file_id = p.file_id""";

    private final IngestDatabase db;

    PhotoLibrary(IngestDatabase db) {
        this.db = db;
    }

    /** The account's home namespace: the one whose photos it sees. */
    UUID homeNamespace(UUID accountId) {
        return db.jdbc().sql("SELECT home_namespace FROM ingest.accounts WHERE id = ?").param(accountId)
                .query(UUID.class).single();
    }

    /**
     * Up to {@code limit} photos of the timeline, newest first ({@code taken_at}, ties by file id,
     * both descending), strictly after the cursor when there is one; only favourites when asked.
     */
    List<Photo> timeline(UUID namespace, Optional<TimelineCursor> after, int limit, boolean favouritesOnly) {
        String sql = "SELECT " + COLUMNS + " FROM " + WITH_FAVOURITES + " WHERE p.namespace_id = ?"
                + (favouritesOnly ? " AND f.file_id IS NOT NULL" : "")
                + (after.isPresent() ? " AND (p.taken_at, p.file_id) < (?, ?)" : "")
                + " ORDER BY p.taken_at DESC, p.file_id DESC LIMIT ?";
        var statement = db.jdbc().sql(sql).param(namespace);
        if (after.isPresent()) {
            statement = statement.param(OffsetDateTime.ofInstant(after.get().takenAt(), ZoneOffset.UTC)).param(after.get().fileId());
        }
        return statement.param(limit).query((rs, i) -> photo(rs)).list();
    }

    Optional<Photo> photo(UUID namespace, String fileId) {
        return db.jdbc().sql("SELECT " + COLUMNS + " FROM " + WITH_FAVOURITES + " WHERE p.namespace_id = ? AND p.file_id = ?")
                .params(namespace, fileId)
                .query((rs, i) -> photo(rs)).optional();
    }

    /** Which of these file ids are photos of the namespace. */
    Set<String> existing(UUID namespace, Collection<String> fileIds) {
        return new HashSet<>(db.jdbc().sql("SELECT file_id FROM photos.photos WHERE namespace_id = ? AND file_id = ANY(?)")
                .params(namespace, fileIds.toArray(String[]::new))
                .query(String.class).list());
    }

    /** Every photo of the namespace counted by its local day. */
    PhotoGroups groups(UUID namespace) {
        PhotoGroups groups = new PhotoGroups();
        db.jdbc().sql("SELECT taken_at, taken_at_offset FROM photos.photos WHERE namespace_id = ?").param(namespace)
                .query(rs -> {
                    groups.add(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getObject(2, Integer.class));
                });
        return groups;
    }

    /** A photo with a location: where, and what the timeline orders it by. */
    record Located(String fileId, double latitude, double longitude) {
    }

    /** The namespace's photos that have a location, newest first as in the timeline. */
    void located(UUID namespace, java.util.function.Consumer<Located> each) {
        db.jdbc().sql("""
                        SELECT file_id, latitude, longitude FROM photos.photos
                        WHERE namespace_id = ? AND latitude IS NOT NULL AND longitude IS NOT NULL
                        ORDER BY taken_at DESC, file_id DESC""")
                .param(namespace)
                .query(rs -> {
                    each.accept(new Located(rs.getString(1), rs.getDouble(2), rs.getDouble(3)));
                });
    }

    /** How far the album projection has applied the partition: the offset of the next event it will apply (0 before any). */
    long projectedUpTo(String topic, int partition) {
        return db.jdbc().sql("SELECT next_offset FROM photos.consumer_positions WHERE topic = ? AND partition = ?")
                .params(topic, partition).query(Long.class).optional().orElse(0L);
    }

    static Photo photo(ResultSet rs) throws SQLException {
        return new Photo(rs.getString("file_id"), rs.getString("path"), rs.getLong("size"), rs.getString("state"),
                rs.getString("reason"), rs.getString("format"), rs.getObject("taken_at", OffsetDateTime.class).toInstant(),
                rs.getObject("taken_at_offset", Integer.class), rs.getString("taken_at_source"),
                rs.getObject("width", Integer.class), rs.getObject("height", Integer.class),
                rs.getObject("latitude", Double.class), rs.getObject("longitude", Double.class), rs.getString("camera_make"),
                rs.getString("camera_model"), rs.getString("lens"), rs.getString("thumbnail_id"), rs.getString("preview_id"),
                rs.getBoolean("favourite"));
    }
}
