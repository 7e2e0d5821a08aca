package io.cumulus.photos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * The photo library's rows ({@code photos.photos}, {@code photos.derivatives}) and how far each
 * partition of the file events has been applied ({@code photos.consumer_positions}), written together
 * in one transaction per event: an event is applied exactly when its offset is moved past, so a
 * redelivery (a crash before Kafka's offset commit, a rebalance, a second instance for a moment) finds
 * its offset passed and changes nothing.
 *
 * <p>The schema is a parameter: the live one, {@code photos}, or a new generation being rebuilt beside it
 * ({@code photos_g2}, docs/decisions/0034). Each transaction first takes the schema's switch lock shared
 * ({@link PhotosSchema#lockShared}), so a switch never happens in the middle of one, and one that waited
 * for a switch resolves the schema's name afresh and finds the new generation's positions.
 */
public final class PhotoLibrary {
    private static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final String COLUMNS = "namespace_id, file_id, seq, path, content_key, size, state, reason, format,"
            + " taken_at, taken_at_offset, taken_at_source, width, height, orientation, latitude, longitude,"
            + " camera_make, camera_model, lens, thumbnail_id, thumbnail_size, preview_id, preview_size";

    private final DataSource dataSource;
    private final String schema;

    /** The library of the live schema, {@link PhotosSchema#NAME}. */
    public PhotoLibrary(DataSource dataSource) {
        this(dataSource, PhotosSchema.NAME);
    }

    /** The library of {@code schema}: the live one, or a new generation being rebuilt. */
    public PhotoLibrary(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = PhotosSchema.requireName(schema);
    }

    /** The schema it reads and writes. */
    public String schema() {
        return schema;
    }

    /** The writes one event makes, inside the transaction that moves its partition's position. */
    @FunctionalInterface
    public interface Writes {
        void apply(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code writes} and moves the partition's position past {@code offset}, in one transaction,
     * unless the position has passed the offset already.
     *
     * @return false when the event had been applied before (nothing was written)
     */
    public boolean apply(String topic, int partition, long offset, Writes writes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                PhotosSchema.lockShared(c, schema);
                try (PreparedStatement ensure = c.prepareStatement("INSERT INTO " + schema + ".consumer_positions"
                        + " (topic, partition, next_offset) VALUES (?, ?, 0) ON CONFLICT (topic, partition) DO NOTHING")) {
                    ensure.setString(1, topic);
                    ensure.setInt(2, partition);
                    ensure.executeUpdate();
                }
                long next;
                try (PreparedStatement lock = c.prepareStatement("SELECT next_offset FROM " + schema + ".consumer_positions"
                        + " WHERE topic = ? AND partition = ? FOR UPDATE")) {
                    lock.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    lock.setString(1, topic);
                    lock.setInt(2, partition);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        next = rs.getLong(1);
                    }
                }
                if (next > offset) {
                    c.rollback();
                    return false;
                }
                writes.apply(c);
                try (PreparedStatement move = c.prepareStatement("UPDATE " + schema + ".consumer_positions SET next_offset = ?"
                        + " WHERE topic = ? AND partition = ?")) {
                    move.setLong(1, offset + 1);
                    move.setString(2, topic);
                    move.setInt(3, partition);
                    move.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Where applying stopped in each of {@code partitions} that has a position. */
    public Map<Integer, Long> positions(String topic, List<Integer> partitions) throws SQLException {
        Map<Integer, Long> positions = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement read = c.prepareStatement("SELECT partition, next_offset FROM " + schema + ".consumer_positions"
                        + " WHERE topic = ? AND partition = ANY(?::integer[])")) {
            read.setString(1, topic);
            read.setArray(2, c.createArrayOf("integer", partitions.toArray()));
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return positions;
    }

    /** The library's row for the file, if it has one. */
    public Optional<PhotoRecord> current(UUID namespaceId, String fileId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement read = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM " + schema + ".photos WHERE namespace_id = ? AND file_id = ?")) {
            read.setObject(1, namespaceId);
            read.setString(2, fileId);
            try (ResultSet rs = read.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** Writes the photo's row (replacing the file's older one) and its derivatives' rows for its version. */
    public void put(Connection c, PhotoRecord p) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO " + schema + ".photos AS photos (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (namespace_id, file_id) DO UPDATE SET seq = excluded.seq, path = excluded.path,"
                + " content_key = excluded.content_key, size = excluded.size, state = excluded.state,"
                + " reason = excluded.reason, format = excluded.format, taken_at = excluded.taken_at,"
                + " taken_at_offset = excluded.taken_at_offset, taken_at_source = excluded.taken_at_source,"
                + " width = excluded.width, height = excluded.height, orientation = excluded.orientation,"
                + " latitude = excluded.latitude, longitude = excluded.longitude, camera_make = excluded.camera_make,"
                + " camera_model = excluded.camera_model, lens = excluded.lens, thumbnail_id = excluded.thumbnail_id,"
                + " thumbnail_size = excluded.thumbnail_size, preview_id = excluded.preview_id,"
                + " preview_size = excluded.preview_size"
                + " WHERE photos.seq < excluded.seq")) {
            int i = 0;
            upsert.setObject(++i, p.namespaceId());
            upsert.setString(++i, p.fileId());
            upsert.setLong(++i, p.seq());
            upsert.setString(++i, p.path());
            upsert.setString(++i, p.contentKey());
            upsert.setLong(++i, p.size());
            upsert.setString(++i, p.ready() ? "ready" : "unreadable");
            upsert.setString(++i, text(p.reason()));
            upsert.setString(++i, text(p.format()));
            upsert.setTimestamp(++i, Timestamp.from(p.takenAt()));
            setInt(upsert, ++i, p.takenAtOffset());
            upsert.setString(++i, p.takenAtSource());
            setInt(upsert, ++i, p.width());
            setInt(upsert, ++i, p.height());
            setInt(upsert, ++i, p.orientation());
            setDouble(upsert, ++i, p.latitude());
            setDouble(upsert, ++i, p.longitude());
            upsert.setString(++i, text(p.cameraMake()));
            upsert.setString(++i, text(p.cameraModel()));
            upsert.setString(++i, text(p.lens()));
            upsert.setString(++i, p.thumbnailId());
            setInt(upsert, ++i, p.thumbnailSize());
            upsert.setString(++i, p.previewId());
            setInt(upsert, ++i, p.previewSize());
            upsert.executeUpdate();
        }
        if (p.ready()) {
            try (PreparedStatement derived = c.prepareStatement("INSERT INTO " + schema + ".derivatives"
                    + " (namespace_id, file_id, seq, chunk_id, kind) VALUES (?, ?, ?, ?, 'thumbnail'), (?, ?, ?, ?, 'preview')"
                    + " ON CONFLICT DO NOTHING")) {
                int i = 0;
                for (String id : new String[] {p.thumbnailId(), p.previewId()}) {
                    derived.setObject(++i, p.namespaceId());
                    derived.setString(++i, p.fileId());
                    derived.setLong(++i, p.seq());
                    derived.setString(++i, id);
                }
                derived.executeUpdate();
            }
        }
    }

    /**
     * Removes the file from the library as of version {@code seq} (deleted, or no longer an image). Its
     * derivatives' rows stay: they keep the derivatives while the versions they were made from are
     * retained (the trash, the history).
     *
     * @return whether the library had the file
     */
    public boolean remove(Connection c, UUID namespaceId, String fileId, long seq) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement(
                "DELETE FROM " + schema + ".photos WHERE namespace_id = ? AND file_id = ? AND seq < ?")) {
            delete.setObject(1, namespaceId);
            delete.setString(2, fileId);
            delete.setLong(3, seq);
            return delete.executeUpdate() > 0;
        }
    }

    /** Whether a failure is worth retrying (the database went away, a deadlock, a serialization failure). */
    public static boolean isTransient(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.equals("40001")
                        || state.equals("40P01")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static PhotoRecord row(ResultSet rs) throws SQLException {
        return new PhotoRecord(rs.getObject("namespace_id", UUID.class), rs.getString("file_id"), rs.getLong("seq"),
                rs.getString("path"), rs.getString("content_key"), rs.getLong("size"),
                "ready".equals(rs.getString("state")), rs.getString("reason"), rs.getString("format"),
                rs.getTimestamp("taken_at").toInstant(), (Integer) rs.getObject("taken_at_offset"),
                rs.getString("taken_at_source"), (Integer) rs.getObject("width"), (Integer) rs.getObject("height"),
                (Integer) rs.getObject("orientation"), (Double) rs.getObject("latitude"),
                (Double) rs.getObject("longitude"), rs.getString("camera_make"), rs.getString("camera_model"),
                rs.getString("lens"), rs.getString("thumbnail_id"), (Integer) rs.getObject("thumbnail_size"),
                rs.getString("preview_id"), (Integer) rs.getObject("preview_size"));
    }

    /**
     * Text read from a photo or a tool as a column can hold it: no NUL (PostgreSQL refuses one), and at
     * most 1,000 characters (a crafted EXIF field may be 64 KiB).
     */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        String clean = value.replace('\0', '\uFFFD');
        return clean.length() <= 1000 ? clean : clean.substring(0, 1000);
    }

    private static void setInt(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    private static void setDouble(PreparedStatement s, int index, Double value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.DOUBLE);
        } else {
            s.setDouble(index, value);
        }
    }
}
