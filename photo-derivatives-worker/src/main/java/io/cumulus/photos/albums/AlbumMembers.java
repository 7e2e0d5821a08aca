package io.cumulus.photos.albums;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;


/**
 * The members of shared albums in {@code photos.album_members}, written within {@link AlbumStore}'s
 * transaction: who an album is shared with and as what ({@code view} or {@code contribute}). Ending a
 * membership also takes that member's contributions out of the album, since a photo of their library
 * must not stay visible to the album's other members once they are gone.
 */
final class AlbumMembers {
    static final Set<String> ROLES = Set.of("view", "contribute");
    private static final String SCHEMA = SchemaConnection.SCHEMA;

    private static final String PUT = "INSERT INTO " + SCHEMA + ".album_members (namespace_id, album_id, account_id, role, shared_at)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (namespace_id, album_id, account_id)"
            + " DO UPDATE SET role = excluded.role, shared_at = excluded.shared_at";
    private static final String ROLE = "SELECT role FROM " + SCHEMA + ".album_members"
            + " WHERE namespace_id = ? AND album_id = ? AND account_id = ?";
    private static final String REMOVE = "DELETE FROM " + SCHEMA + ".album_members"
            + " WHERE namespace_id = ? AND album_id = ? AND account_id = ?";
    private static final String REMOVE_CONTRIBUTIONS = "DELETE FROM " + SCHEMA + ".album_photos"
            + " WHERE namespace_id = ? AND album_id = ? AND account_id = ?";
    private static final String RENUMBER = "UPDATE " + SCHEMA + ".album_photos ap SET position = o.n - 1"
            + " FROM (SELECT photo_namespace_id, file_id, row_number() OVER (ORDER BY position) AS n FROM " + SCHEMA + ".album_photos"
            + " WHERE namespace_id = ? AND album_id = ?) o"
            + " WHERE ap.namespace_id = ? AND ap.album_id = ? AND ap.photo_namespace_id = o.photo_namespace_id AND ap.file_id = o.file_id";
    private static final String REMOVE_ALL = "DELETE FROM " + SCHEMA + ".album_members WHERE namespace_id = ? AND album_id = ?";

    /** Makes {@code member} a member with {@code role}, or gives an existing member that role. */
    static void put(SchemaConnection c, UUID namespace, UUID album, UUID member, String role, OffsetDateTime at) throws SQLException {
        AlbumStore.update(c, PUT, namespace, album, member, role, at);
    }

    static Optional<String> role(SchemaConnection c, UUID namespace, UUID album, UUID member) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(ROLE)) {
            s.setQueryTimeout(AlbumStore.QUERY_TIMEOUT_SECONDS);
            s.setObject(1, namespace);
            s.setObject(2, album);
            s.setObject(3, member);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Ends the membership and takes the member's contributions out; false when they were no member. */
    static boolean remove(SchemaConnection c, UUID namespace, UUID album, UUID member) throws SQLException {
        if (AlbumStore.update(c, REMOVE, namespace, album, member) == 0) {
            return false;
        }
        if (AlbumStore.update(c, REMOVE_CONTRIBUTIONS, namespace, album, member) > 0) {
            // positions stay 0, 1, 2, ... as every other change leaves them
            AlbumStore.update(c, RENUMBER, namespace, album, namespace, album);
        }
        return true;
    }

    /** Every membership of a deleted album. */
    static void removeAll(SchemaConnection c, UUID namespace, UUID album) throws SQLException {
        AlbumStore.update(c, REMOVE_ALL, namespace, album);
    }

    private AlbumMembers() {
    }
}
