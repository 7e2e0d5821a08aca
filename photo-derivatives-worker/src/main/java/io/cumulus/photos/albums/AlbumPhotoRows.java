package io.cumulus.photos.albums;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;


/**
 * The rows of one album in {@code photos.album_photos}, read and rewritten whole within
 * {@link AlbumStore}'s transaction: each photo named by its library and file id ({@link PhotoRef}),
 * at positions 0, 1, 2, ..., with when and by whom it was put in, which a new order keeps.
 */
final class AlbumPhotoRows {
    private static final String SCHEMA = SchemaConnection.SCHEMA;
    private static final String DELETE_PHOTOS = "DELETE FROM " + SCHEMA + ".album_photos WHERE namespace_id = ? AND album_id = ?";
    private static final String READ_ORDER = "SELECT photo_namespace_id, file_id, added_at, account_id FROM " + SCHEMA + ".album_photos"
            + " WHERE namespace_id = ? AND album_id = ? ORDER BY position";
    private static final String WRITE_ORDER = "INSERT INTO " + SCHEMA + ".album_photos"
            + " (namespace_id, album_id, photo_namespace_id, file_id, position, added_at, account_id)"
            + " SELECT ?, ?, o.photo_namespace_id, o.file_id, o.position, o.added_at, o.account_id"
            + " FROM unnest(?::uuid[], ?::text[], ?::integer[], ?::timestamptz[], ?::uuid[])"
            + " AS o(photo_namespace_id, file_id, position, added_at, account_id)";

    static void deleteAll(SchemaConnection c, UUID namespace, UUID album) throws SQLException {
        AlbumStore.update(c, DELETE_PHOTOS, namespace, album);
    }

    /** When a photo was put in the album, and by whom. */
    record Placed(OffsetDateTime at, UUID by) {
    }

    /** The album's photos in order, each with when and by whom it was added (a LinkedHashMap keeps the order). */
    static Map<PhotoRef, Placed> read(SchemaConnection c, UUID namespace, UUID album) throws SQLException {
        Map<PhotoRef, Placed> order = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(READ_ORDER)) {
            s.setQueryTimeout(AlbumStore.QUERY_TIMEOUT_SECONDS);
            s.setObject(1, namespace);
            s.setObject(2, album);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    order.put(new PhotoRef(rs.getObject(1, UUID.class), rs.getString(2)),
                            new Placed(rs.getObject(3, OffsetDateTime.class), rs.getObject(4, UUID.class)));
                }
            }
        }
        return order;
    }

    static void write(SchemaConnection c, UUID namespace, UUID album, List<PhotoRef> order,
                                   Map<PhotoRef, Placed> placed, Placed now) throws SQLException {
        deleteAll(c, namespace, album);
        if (order.isEmpty()) {
            return;
        }
        int n = order.size();
        UUID[] namespaces = new UUID[n];
        String[] fileIds = new String[n];
        Integer[] positions = new Integer[n];
        OffsetDateTime[] added = new OffsetDateTime[n];
        UUID[] by = new UUID[n];
        for (int i = 0; i < n; i++) {
            PhotoRef ref = order.get(i);
            Placed p = placed.getOrDefault(ref, now);
            namespaces[i] = ref.namespace();
            fileIds[i] = ref.fileId();
            positions[i] = i;
            added[i] = p.at();
            by[i] = p.by();
        }
        AlbumStore.update(c, WRITE_ORDER, namespace, album, c.createArrayOf("uuid", namespaces), c.createArrayOf("text", fileIds),
                c.createArrayOf("integer", positions), c.createArrayOf("timestamptz", added), c.createArrayOf("uuid", by));
    }

    private AlbumPhotoRows() {
    }
}
