package io.cumulus.photos.albums;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import io.cumulus.photos.PhotosSchema;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;

/**
 * The albums and favourites in {@code photos.albums}, {@code album_photos} and {@code favourites},
 * and how far each partition of the album events has been projected ({@code photos.consumer_positions}),
 * always written together in one transaction: an event is applied exactly when its offset is moved
 * past, so a record delivered again (a crash between this commit and Kafka's offset commit, a
 * rebalance) is recognised by its offset and not applied twice.
 *
 * <p>Two instances may briefly hold the same partition (a rebalance while a poll is in flight). Each
 * transaction locks the partitions' position rows first, in partition order, and reads the positions
 * under that lock, so the second writer sees what the first applied and skips it.
 *
 * <p>An event about an album that does not exist in its namespace, or was deleted, changes nothing
 * and is reported as {@link Ignored}: the API checks before it publishes, so such an event lost a
 * race with a delete (or names an album of another namespace), and there is nothing right to do with it.
 *
 * <p>Shared albums (docs/decisions/0032) keep the same rule: who may do what is checked again here
 * against the album as it is when the event is applied, so an event the API allowed just before a
 * member was removed (a contribution, say) changes nothing. Only the owner renames, deletes, orders
 * and shares; a {@code contribute} member adds photos, and takes out only their own; the owner or the
 * member themself ends a membership, which takes that member's contributions out of the album.
 *
 * <p>The schema is a parameter ({@link SchemaConnection}): the live one, or a new generation being rebuilt
 * beside it (docs/decisions/0034). Each transaction first takes the schema's switch lock shared
 * ({@link PhotosSchema#lockShared}), so a switch never happens in the middle of a poll, and a poll that
 * waited for one resolves the schema's name afresh and finds the new generation's positions.
 */
public final class AlbumStore {
    static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final String SCHEMA = SchemaConnection.SCHEMA;

    private static final String ENSURE_POSITIONS = "INSERT INTO " + SCHEMA + ".consumer_positions"
            + " (topic, partition, next_offset)"
            + " SELECT ?, p, 0 FROM unnest(?::integer[]) AS p ORDER BY p"
            + " ON CONFLICT (topic, partition) DO NOTHING";
    private static final String LOCK_POSITIONS = "SELECT partition, next_offset FROM " + SCHEMA + ".consumer_positions"
            + " WHERE topic = ? AND partition = ANY(?::integer[]) ORDER BY partition FOR UPDATE";
    private static final String READ_POSITIONS = "SELECT partition, next_offset FROM " + SCHEMA + ".consumer_positions"
            + " WHERE topic = ? AND partition = ANY(?::integer[])";
    private static final String MOVE_POSITIONS = "UPDATE " + SCHEMA + ".consumer_positions AS c"
            + " SET next_offset = greatest(c.next_offset, v.next_offset)"
            + " FROM unnest(?::integer[], ?::bigint[]) AS v(partition, next_offset)"
            + " WHERE c.topic = ? AND c.partition = v.partition";

    private static final String CREATE = "INSERT INTO " + SCHEMA + ".albums"
            + " (namespace_id, album_id, account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (namespace_id, album_id) DO NOTHING";
    private static final String RENAME = "UPDATE " + SCHEMA + ".albums SET name = ?, updated_at = ?"
            + " WHERE namespace_id = ? AND album_id = ? AND deleted_at IS NULL";
    private static final String DELETE = "UPDATE " + SCHEMA + ".albums SET deleted_at = ?, updated_at = ?"
            + " WHERE namespace_id = ? AND album_id = ? AND deleted_at IS NULL";
    private static final String LOCK_LIVE_ALBUM = "SELECT account_id FROM " + SCHEMA + ".albums"
            + " WHERE namespace_id = ? AND album_id = ? AND deleted_at IS NULL FOR UPDATE";
    private static final String TOUCH = "UPDATE " + SCHEMA + ".albums SET updated_at = ? WHERE namespace_id = ? AND album_id = ?";
    private static final String FAVOURITE = "INSERT INTO " + SCHEMA + ".favourites (namespace_id, file_id, favourited_at)"
            + " SELECT ?, f, ? FROM unnest(?::text[]) AS f ON CONFLICT (namespace_id, file_id) DO NOTHING";
    private static final String UNFAVOURITE = "DELETE FROM " + SCHEMA + ".favourites WHERE namespace_id = ? AND file_id = ANY(?::text[])";

    private final DataSource dataSource;
    private final String schema;

    /** The store of the live schema, {@link PhotosSchema#NAME}. */
    public AlbumStore(DataSource dataSource) {
        this(dataSource, PhotosSchema.NAME);
    }

    /** The store of {@code schema}: the live one, or a new generation being rebuilt. */
    public AlbumStore(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = PhotosSchema.requireName(schema);
    }

    /** An event that changed nothing, and why. */
    public record Ignored(AlbumEventBatch.Positioned event, String reason) {
    }

    /** What one {@link #apply} did: events applied, events ignored (with the reason), events skipped as applied before. */
    public record Applied(int applied, List<Ignored> ignored, int skipped) {
        public Applied {
            ignored = List.copyOf(ignored);
        }
    }

    /** Applies the batch's events its partitions' positions have not passed, and moves the positions past the batch, in one transaction. */
    public Applied apply(AlbumEventBatch batch) throws SQLException {
        if (batch.events().isEmpty()) {
            return new Applied(0, List.of(), 0);
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            SchemaConnection c = new SchemaConnection(connection, schema);
            try {
                PhotosSchema.lockShared(connection, schema);
                Integer[] partitions = batch.nextOffsets().keySet().toArray(Integer[]::new);
                ensurePositions(c, batch.topic(), partitions);
                Map<Integer, Long> positions = readPositions(c, LOCK_POSITIONS, batch.topic(), partitions);
                int applied = 0;
                int skipped = 0;
                List<Ignored> ignored = new ArrayList<>();
                for (AlbumEventBatch.Positioned e : batch.events()) {
                    if (e.offset() < positions.getOrDefault(e.partition(), 0L)) {
                        skipped++;
                        continue;
                    }
                    String ignoredBecause = applyOne(c, e.event());
                    if (ignoredBecause == null) {
                        applied++;
                    } else {
                        ignored.add(new Ignored(e, ignoredBecause));
                    }
                }
                movePositions(c, batch.topic(), batch.nextOffsets());
                connection.commit();
                connection.setAutoCommit(true);
                return new Applied(applied, ignored, skipped);
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    /** The next offset to project of each of these partitions of the topic that has projected anything. */
    public Map<Integer, Long> positions(String topic, Collection<Integer> partitions) throws SQLException {
        if (partitions.isEmpty()) {
            return new TreeMap<>();
        }
        try (Connection connection = dataSource.getConnection()) {
            return readPositions(new SchemaConnection(connection, schema), READ_POSITIONS, topic, partitions.toArray(Integer[]::new));
        }
    }

    /** Applies one event; null when it changed what it names, else why it was ignored. */
    private static String applyOne(SchemaConnection c, AlbumEvent e) throws SQLException {
        UUID namespace = UUID.fromString(e.getNamespaceId());
        OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(e.getAt()), ZoneOffset.UTC);
        UUID album = e.getAlbumId() == null ? null : UUID.fromString(e.getAlbumId());
        UUID actor = UUID.fromString(e.getAccountId());
        return switch (e.getKind()) {
            case CREATED -> {
                if (e.getName() == null) {
                    yield "a new album without a name";
                }
                yield update(c, CREATE, namespace, album, actor, e.getName(), at, at) == 1
                        ? null : "the album exists already";
            }
            case RENAMED -> {
                if (e.getName() == null) {
                    yield "a rename without a name";
                }
                if (!actor.equals(liveOwner(c, namespace, album).orElse(null))) {
                    yield "no such album, deleted, or not the owner's";
                }
                yield update(c, RENAME, e.getName(), at, namespace, album) == 1 ? null : "no such album, or deleted";
            }
            case DELETED -> {
                if (!actor.equals(liveOwner(c, namespace, album).orElse(null))) {
                    yield "no such album, deleted, or not the owner's";
                }
                update(c, DELETE, at, at, namespace, album);
                AlbumPhotoRows.deleteAll(c, namespace, album);
                AlbumMembers.removeAll(c, namespace, album);
                yield null;
            }
            case PHOTOS_ADDED, PHOTOS_REMOVED, REORDERED -> {
                Optional<UUID> owner = liveOwner(c, namespace, album);
                if (owner.isEmpty()) {
                    yield "no such album, or deleted";
                }
                boolean byOwner = actor.equals(owner.get());
                if (!byOwner && e.getKind() == AlbumEventKind.REORDERED) {
                    yield "only the owner orders an album";
                }
                if (!byOwner && e.getKind() == AlbumEventKind.PHOTOS_ADDED
                        && !AlbumMembers.role(c, namespace, album, actor).filter("contribute"::equals).isPresent()) {
                    yield "not a contributor of the album (any more)";
                }
                Map<PhotoRef, AlbumPhotoRows.Placed> placed = AlbumPhotoRows.read(c, namespace, album);
                List<PhotoRef> current = List.copyOf(placed.keySet());
                List<PhotoRef> named = PhotoRef.of(e, namespace);
                List<PhotoRef> next = switch (e.getKind()) {
                    case PHOTOS_ADDED -> AlbumOrder.add(current, named, PhotoRef.before(e, namespace));
                    // A member takes out only what they put in; the owner takes out anything.
                    case PHOTOS_REMOVED -> AlbumOrder.remove(current, byOwner ? named
                            : named.stream().filter(r -> placed.containsKey(r) && placed.get(r).by().equals(actor)).toList());
                    default -> AlbumOrder.reorder(current, named);
                };
                AlbumPhotoRows.write(c, namespace, album, next, placed, new AlbumPhotoRows.Placed(at, actor));
                update(c, TOUCH, at, namespace, album);
                yield null;
            }
            case SHARED -> {
                UUID member = memberOf(e);
                if (member == null || !AlbumMembers.ROLES.contains(String.valueOf(e.getMemberRole()))) {
                    yield "a share without a member or with an unknown role";
                }
                Optional<UUID> owner = liveOwner(c, namespace, album);
                if (owner.isEmpty() || !owner.get().equals(actor) || member.equals(actor)) {
                    yield "no such album, deleted, not shared by its owner, or shared with its owner";
                }
                AlbumMembers.put(c, namespace, album, member, e.getMemberRole(), at);
                update(c, TOUCH, at, namespace, album);
                yield null;
            }
            case UNSHARED -> {
                UUID member = memberOf(e);
                Optional<UUID> owner = liveOwner(c, namespace, album);
                if (member == null || owner.isEmpty() || !(owner.get().equals(actor) || member.equals(actor))) {
                    yield "no such album, deleted, or neither its owner nor the member unshared it";
                }
                if (!AlbumMembers.remove(c, namespace, album, member)) {
                    yield "not a member";
                }
                update(c, TOUCH, at, namespace, album);
                yield null;
            }
            case FAVOURITED -> {
                update(c, FAVOURITE, namespace, at, c.createArrayOf("text", e.getFileIds().toArray()));
                yield null;
            }
            case UNFAVOURITED -> {
                update(c, UNFAVOURITE, namespace, c.createArrayOf("text", e.getFileIds().toArray()));
                yield null;
            }
            case UNKNOWN -> "a kind of event this projection does not know";
        };
    }

    private static UUID memberOf(AlbumEvent e) {
        try {
            return e.getMemberAccountId() == null ? null : UUID.fromString(e.getMemberAccountId());
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }

    /** The owner of the live album, locking its row for the rest of the transaction; empty when unknown or deleted. */
    private static Optional<UUID> liveOwner(SchemaConnection c, UUID namespace, UUID album) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(LOCK_LIVE_ALBUM)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setObject(1, namespace);
            s.setObject(2, album);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    static int update(SchemaConnection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate();
        }
    }

    private static void ensurePositions(SchemaConnection c, String topic, Integer[] partitions) throws SQLException {
        update(c, ENSURE_POSITIONS, topic, c.createArrayOf("integer", partitions));
    }

    private static Map<Integer, Long> readPositions(SchemaConnection c, String sql, String topic, Integer[] partitions)
            throws SQLException {
        Map<Integer, Long> positions = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, topic);
            s.setArray(2, c.createArrayOf("integer", partitions));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return positions;
    }

    private static void movePositions(SchemaConnection c, String topic, Map<Integer, Long> nextOffsets) throws SQLException {
        Map<Integer, Long> sorted = new TreeMap<>(nextOffsets);
        update(c, MOVE_POSITIONS, c.createArrayOf("integer", sorted.keySet().toArray(Integer[]::new)),
                c.createArrayOf("bigint", sorted.values().toArray(Long[]::new)), topic);
    }

    /**
     * Whether a failed write may succeed if tried again unchanged: the connection broke, the server
     * is starting or shutting down, out of resources, or the transaction lost a serialization or
     * deadlock race. Anything else would fail the same way forever.
     */
    public static boolean isTransient(SQLException failure) {
        return io.cumulus.photos.PhotoLibrary.isTransient(failure);
    }
}
