package io.cumulus.ingest.photos;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * Reads of the albums the album projection keeps in {@code photos.albums}, {@code album_photos} and
 * {@code album_members}, always as one account sees them: the albums of its own library, and the
 * albums other accounts shared with it (docs/decisions/0032). An album another account did not share
 * with it is not there at all. An album lists only the photos whose files still exist, each looked up
 * in its own library (a contribution lives in its contributor's); its count and cover are of those.
 */
final class Albums {
    private static final String VISIBLE_PHOTOS = """
            photos.album_photos ap JOIN photos.photos p ON p.namespace_id = ap.photo_namespace_id AND p.file_id = ap.file_id""";

    private final IngestDatabase db;

    /**
     * A live album as one account sees it: where it lives (its owner's library), its owner, the
     * account's role in it ({@code owner}, {@code view} or {@code contribute}), how many members it is
     * shared with, and how many photos it shows with the first of them.
     */
    record Album(UUID namespace, UUID albumId, String name, Instant createdAt, Instant updatedAt, long count,
                 UUID coverNamespace, String coverFileId, UUID ownerId, String owner, String role, long members) {

        boolean ownedByCaller() {
            return "owner".equals(role);
        }

        boolean shared() {
            return members > 0 || !ownedByCaller();
        }
    }

    /** A photo of an album: the photo as its library has it, which library, and who put it there. */
    record AlbumPhoto(Photo photo, UUID namespace, UUID contributorId, String contributor) {
    }

    /** An album's entry for a photo, whether or not its file still exists. */
    record Entry(PhotoKey key, UUID contributorId) {
    }

    record Member(UUID accountId, String username, String role) {
    }

    Albums(IngestDatabase db) {
        this.db = db;
    }

    /** The account's albums and the albums shared with it, live ones, newest first. */
    List<Album> list(UUID account, UUID home) {
        return db.jdbc().sql(select() + " ORDER BY a.created_at DESC, a.album_id")
                .params(home, account, home).query((rs, i) -> album(rs)).list();
    }

    /** The live album, when it is the account's own or shared with it. */
    Optional<Album> album(UUID account, UUID home, UUID albumId) {
        return db.jdbc().sql(select() + " AND a.album_id = ? ORDER BY (a.namespace_id = ?) DESC LIMIT 1")
                .params(home, account, home, albumId, home).query((rs, i) -> album(rs)).optional();
    }

    /**
     * The album's photos that still exist, in the album's order. {@code favourite} is the viewer's:
     * a photo of another library is never marked, so no one learns another account's favourites.
     */
    List<AlbumPhoto> photos(Album album, UUID viewerHome) {
        return db.jdbc().sql(photoSelect() + " WHERE ap.namespace_id = ? AND ap.album_id = ? ORDER BY ap.position")
                .params(viewerHome, album.namespace(), album.albumId()).query((rs, i) -> albumPhoto(rs)).list();
    }

    /** One photo of the album, when the album holds it and its file still exists. */
    Optional<AlbumPhoto> photo(Album album, UUID viewerHome, PhotoKey key) {
        return db.jdbc().sql(photoSelect() + " WHERE ap.namespace_id = ? AND ap.album_id = ? AND ap.photo_namespace_id = ? AND ap.file_id = ?")
                .params(viewerHome, album.namespace(), album.albumId(), key.namespace(), key.fileId())
                .query((rs, i) -> albumPhoto(rs)).optional();
    }

    /** Every photo the album holds, in order, including those whose files were deleted since. */
    List<Entry> entries(Album album) {
        return db.jdbc().sql("SELECT photo_namespace_id, file_id, account_id FROM photos.album_photos"
                        + " WHERE namespace_id = ? AND album_id = ? ORDER BY position")
                .params(album.namespace(), album.albumId())
                .query((rs, i) -> new Entry(new PhotoKey(rs.getObject(1, UUID.class), rs.getString(2)), rs.getObject(3, UUID.class)))
                .list();
    }

    /** Who the album is shared with, in the order they joined. */
    List<Member> members(Album album) {
        return db.jdbc().sql("SELECT m.account_id, u.username, m.role FROM photos.album_members m"
                        + " JOIN ingest.accounts u ON u.id = m.account_id"
                        + " WHERE m.namespace_id = ? AND m.album_id = ? ORDER BY m.shared_at, u.username")
                .params(album.namespace(), album.albumId())
                .query((rs, i) -> new Member(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3))).list();
    }

    /** An account, by its username (compared as accounts compare them: case aside). */
    Optional<Member> account(String username) {
        return db.jdbc().sql("SELECT id, username FROM ingest.accounts WHERE lower(username) = lower(?)").param(username)
                .query((rs, i) -> new Member(rs.getObject(1, UUID.class), rs.getString(2), null)).optional();
    }

    /** The albums {@code account} sees; parameters: its home namespace, the account, its home namespace again. */
    private static String select() {
        return "SELECT a.namespace_id, a.album_id, a.name, a.created_at, a.updated_at, a.account_id AS owner_id,"
                + " o.username AS owner, CASE WHEN a.namespace_id = ? THEN 'owner' ELSE m.role END AS role,"
                + " (SELECT count(*) FROM photos.album_members mm WHERE mm.namespace_id = a.namespace_id"
                + " AND mm.album_id = a.album_id) AS members,"
                + " (SELECT count(*) FROM " + VISIBLE_PHOTOS + " WHERE ap.namespace_id = a.namespace_id AND ap.album_id = a.album_id) AS count,"
                + " cover.photo_namespace_id AS cover_namespace, cover.file_id AS cover"
                + " FROM photos.albums a JOIN ingest.accounts o ON o.id = a.account_id"
                + " LEFT JOIN photos.album_members m ON m.namespace_id = a.namespace_id AND m.album_id = a.album_id AND m.account_id = ?"
                + " LEFT JOIN LATERAL (SELECT ap.photo_namespace_id, ap.file_id FROM " + VISIBLE_PHOTOS
                + " WHERE ap.namespace_id = a.namespace_id AND ap.album_id = a.album_id ORDER BY ap.position LIMIT 1) cover ON true"
                + " WHERE a.deleted_at IS NULL AND (a.namespace_id = ? OR m.account_id IS NOT NULL)";
    }

    private static String photoSelect() {
        return "SELECT " + PhotoLibrary.COLUMNS + ", ap.photo_namespace_id, ap.account_id AS contributor_id, u.username AS contributor"
                + " FROM " + VISIBLE_PHOTOS
                + " JOIN ingest.accounts u ON u.id = ap.account_id"
                + " LEFT JOIN photos.favourites f ON f.namespace_id = p.namespace_id AND f.file_id = p.file_id AND f.namespace_id = ?";
    }

    private static AlbumPhoto albumPhoto(ResultSet rs) throws SQLException {
        return new AlbumPhoto(PhotoLibrary.photo(rs), rs.getObject("photo_namespace_id", UUID.class),
                rs.getObject("contributor_id", UUID.class), rs.getString("contributor"));
    }

    private static Album album(ResultSet rs) throws SQLException {
        return new Album(rs.getObject("namespace_id", UUID.class), rs.getObject("album_id", UUID.class), rs.getString("name"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant(), rs.getLong("count"),
                rs.getObject("cover_namespace", UUID.class), rs.getString("cover"), rs.getObject("owner_id", UUID.class),
                rs.getString("owner"), rs.getString("role"), rs.getLong("members"));
    }
}
