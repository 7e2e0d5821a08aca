package io.cumulus.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's offsets (how far the relay has read the outbox's change stream) kept in the relay's
 * own table {@code relay.offsets} of the database it relays from, so that whichever relay instance
 * is active resumes where the previous one stopped, instead of snapshotting the outbox again. Like
 * Kafka Connect's file store it keeps the offsets in memory and writes them on every flush, here
 * in one transaction. Connection settings are the connector's own ({@code database.*}).
 *
 * <p>Offsets of a relay that kept them in a file ({@value #LEGACY_FILE}, Kafka Connect's file
 * store) are imported when the table has none, so an upgraded installation neither loses its
 * position nor relays everything again.
 */
public final class PostgresOffsetStore extends MemoryOffsetBackingStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresOffsetStore.class);
    /** The engine property naming a file of offsets kept by an earlier relay; optional. */
    static final String LEGACY_FILE = "cumulus.relay.legacy-offsets-file";

    private String url;
    private String user;
    private String password;
    private Path legacyFile;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, Object> p = config.originals();
        url = "jdbc:postgresql://" + p.get("database.hostname") + ":" + p.get("database.port") + "/"
                + p.get("database.dbname") + "?connectTimeout=5&socketTimeout=30";
        user = String.valueOf(p.get("database.user"));
        password = p.get("database.password") == null ? "" : String.valueOf(p.get("database.password"));
        legacyFile = p.get(LEGACY_FILE) == null ? null : Path.of(String.valueOf(p.get(LEGACY_FILE)));
    }

    @Override
    public synchronized void start() {
        super.start();
        try (Connection c = connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS relay");
                s.execute("CREATE TABLE IF NOT EXISTS relay.offsets (offset_key bytea PRIMARY KEY,"
                        + " offset_value bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT offset_key, offset_value FROM relay.offsets")) {
                while (rs.next()) {
                    data.put(ByteBuffer.wrap(rs.getBytes(1)), ByteBuffer.wrap(rs.getBytes(2)));
                }
            }
            if (data.isEmpty() && legacyFile != null && Files.exists(legacyFile)) {
                data.putAll(readLegacyFile(legacyFile));
                write(c, data);
                log.info("relay offsets imported from={} entries={}", legacyFile, data.size());
            }
        } catch (SQLException e) {
            throw new ConnectException("cannot read the relay offsets from " + url + ": " + e.getMessage(), e);
        }
    }

    /** Called by the store's own thread after each flush put new offsets in {@code data}. */
    @Override
    protected void save() {
        try (Connection c = connect()) {
            write(c, data);
        } catch (SQLException e) {
            // The flush fails and the engine tries again at the next one; until then a restart re-relays a little more.
            throw new ConnectException("cannot write the relay offsets to " + url + ": " + e.getMessage(), e);
        }
    }

    private static void write(Connection c, Map<ByteBuffer, ByteBuffer> offsets) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO relay.offsets (offset_key, offset_value) VALUES (?, ?)"
                + " ON CONFLICT (offset_key) DO UPDATE SET offset_value = excluded.offset_value, updated_at = now()");
             PreparedStatement delete = c.prepareStatement("DELETE FROM relay.offsets WHERE offset_key = ?")) {
            for (Map.Entry<ByteBuffer, ByteBuffer> e : offsets.entrySet()) {
                if (e.getValue() == null) {
                    delete.setBytes(1, bytes(e.getKey()));
                    delete.addBatch();
                } else {
                    upsert.setBytes(1, bytes(e.getKey()));
                    upsert.setBytes(2, bytes(e.getValue()));
                    upsert.addBatch();
                }
            }
            upsert.executeBatch();
            delete.executeBatch();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    /** The file store's format: one serialized map of key bytes to value bytes. */
    private static Map<ByteBuffer, ByteBuffer> readLegacyFile(Path file) {
        try (InputStream in = Files.newInputStream(file); ObjectInputStream objects = new ObjectInputStream(in)) {
            // Nothing but the map and arrays (of bytes, and the map's own table) is ever read from it.
            objects.setObjectInputFilter(info -> info.serialClass() == null || info.serialClass() == HashMap.class
                    || info.serialClass().isArray() ? java.io.ObjectInputFilter.Status.ALLOWED
                    : java.io.ObjectInputFilter.Status.REJECTED);
            Map<?, ?> raw = (Map<?, ?>) objects.readObject();
            Map<ByteBuffer, ByteBuffer> offsets = new HashMap<>();
            raw.forEach((k, v) -> offsets.put(ByteBuffer.wrap((byte[]) k), v == null ? null : ByteBuffer.wrap((byte[]) v)));
            return offsets;
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new ConnectException("cannot read the relay offsets file " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Only Kafka Connect's REST API asks which source partitions a connector has offsets for; the engine never does. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
