package io.cumulus.photos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.PhotoEvent;
import io.cumulus.schemas.PoisonRecordException;

/**
 * Writes the photo library of a schema from the photo events ({@code cumulus.photo-events.v1}) instead of
 * the file events: a rebuild of the library into a new generation (docs/decisions/0034) reads what the
 * worker derived, so it derives no image again and publishes nothing. A READY or UNREADABLE event
 * carries every column of the library's row and is written as the worker wrote it ({@link PhotoLibrary#put});
 * a REMOVED one removes the file as the worker did ({@link PhotoLibrary#remove}). Each event is applied
 * with its partition's position in one transaction, as the worker applies file events.
 *
 * <p>The worker sends a poll's photo events before it writes the poll, so an event may come twice, and a
 * poll read again after its rows were written sends the events of its older versions again, after newer
 * ones of the same file. A replayed event is therefore applied only when it is newer than every event of
 * its file applied so far, which a work table in the schema ({@code replay_last_seq}) remembers until
 * {@link #finish()} drops it.
 */
public final class PhotoEventReplay {
    private static final AvroSerde<PhotoEvent> PHOTO_EVENTS = AvroSerde.photoEvents();

    private final DataSource dataSource;
    private final PhotoLibrary library;
    private final String schema;

    public PhotoEventReplay(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = PhotosSchema.requireName(schema);
        this.library = new PhotoLibrary(dataSource, schema);
    }

    /** The library it writes. */
    public PhotoLibrary library() {
        return library;
    }

    /** Creates the work table that remembers each file's newest event applied. */
    public void prepare() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE UNLOGGED TABLE IF NOT EXISTS " + schema + ".replay_last_seq (namespace_id uuid NOT NULL,"
                    + " file_id text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (namespace_id, file_id))");
        }
    }

    /** Applies one poll of photo events, each at most once and only when newer than its file's last one. */
    public void apply(ConsumerRecords<byte[], byte[]> records) throws SQLException {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            PhotoEvent event = decode(record);
            UUID namespace = UUID.fromString(event.getNamespaceId());
            library.apply(record.topic(), record.partition(), record.offset(), c -> {
                if (!newest(c, namespace, event.getFileId(), event.getSeq())) {
                    return;
                }
                switch (event.getKind()) {
                    case READY, UNREADABLE -> library.put(c, record(event, namespace));
                    case REMOVED -> library.remove(c, namespace, event.getFileId(), event.getSeq());
                }
            });
        }
    }

    /**
     * Drops the work table and the photo events' positions: the live worker continues the library from
     * the file events' positions, which the switch carries over.
     */
    public void finish(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + schema + ".replay_last_seq");
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + schema + ".consumer_positions WHERE topic = ?")) {
            s.setString(1, PhotoWorkerConfig.PHOTO_EVENTS_TOPIC);
            s.executeUpdate();
        }
    }

    private boolean newest(Connection c, UUID namespace, String fileId, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".replay_last_seq AS l"
                + " (namespace_id, file_id, seq) VALUES (?, ?, ?) ON CONFLICT (namespace_id, file_id)"
                + " DO UPDATE SET seq = excluded.seq WHERE l.seq < excluded.seq RETURNING 1")) {
            s.setObject(1, namespace);
            s.setString(2, fileId);
            s.setLong(3, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The library's row a READY or UNREADABLE event describes (what the worker wrote with it). */
    static PhotoRecord record(PhotoEvent e, UUID namespace) {
        boolean ready = e.getKind() == io.cumulus.schemas.PhotoEventKind.READY;
        return new PhotoRecord(namespace, e.getFileId(), e.getSeq(), e.getPath(), text(e.getContentKey()),
                e.getSize() == null ? 0 : e.getSize(), ready, text(e.getReason()), text(e.getFormat()),
                Instant.ofEpochMilli(e.getTakenAt() == null ? e.getAt() : e.getTakenAt()), e.getTakenAtOffsetMinutes(),
                e.getTakenAtSource() == null ? "file" : e.getTakenAtSource().toString(), e.getWidth(), e.getHeight(),
                e.getOrientation(), e.getLatitude(), e.getLongitude(), text(e.getCameraMake()), text(e.getCameraModel()),
                text(e.getLens()), text(e.getThumbnailId()), e.getThumbnailSize(), text(e.getPreviewId()),
                e.getPreviewSize());
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }

    private static PhotoEvent decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            PhotoEvent event = PHOTO_EVENTS.decode(record.value());
            UUID.fromString(event.getNamespaceId());
            return event;
        } catch (RuntimeException e) {
            throw new PoisonRecordException("rebuild the photo library from", record.topic(), record.partition(),
                    record.offset(), "not a photo event", e);
        }
    }
}
