package io.cumulus.ingest.links;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cumulus.ingest.IngestDatabase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a link's target holds, read from the projector's {@code readmodel.files} and the photo
 * library's {@code photos} schema: when a link is made, what a path or album id names; when it is
 * opened, the live files inside its target right now, and nothing else. Every read is confined to the
 * link's namespace and target: a file id of the same account outside the target is not found, and a
 * folder {@code docs} holds {@code docs/a} but never {@code docs2/a}.
 */
final class LinkTargets {
    /** The most files one page or JSON answer lists; more are left out (and reported as truncated). */
    static final int MAX_LISTED = 1_000;

    private final IngestDatabase db;
    private final JsonMapper json = JsonMapper.builder().build();
    /** Whether the photo library's tables exist: a server without them still serves file and folder links. */
    private final AtomicBoolean photosPresent = new AtomicBoolean();

    /** A path or album as a link would show it. */
    record Target(Link.Kind kind, String target) {
    }

    /** The files of a link, by name, and whether more were left out. */
    record Listing(String title, List<SharedFile> files, boolean truncated) {
    }

    LinkTargets(IngestDatabase db) {
        this.db = db;
    }

    // ---- when a link is made ----

    /** A live file at exactly this path, else a folder holding live files below it, else nothing. */
    Optional<Target> fileOrFolder(UUID namespace, String path) {
        Optional<String> file = db.jdbc().sql("""
                        SELECT file_id FROM readmodel.files WHERE namespace_id = ? AND path = ? AND NOT deleted
                        ORDER BY file_id LIMIT 1""")
                .params(namespace, path).query(String.class).optional();
        if (file.isPresent()) {
            return Optional.of(new Target(Link.Kind.FILE, file.get()));
        }
        boolean folder = db.jdbc().sql("""
                        SELECT EXISTS (SELECT 1 FROM readmodel.files
                                       WHERE namespace_id = ? AND NOT deleted AND path LIKE ? ESCAPE '\\')""")
                .params(namespace, likePrefix(path + "/")).query(Boolean.class).single();
        return folder ? Optional.of(new Target(Link.Kind.FOLDER, path)) : Optional.empty();
    }

    /** The namespace of a live album the account may write in (owner or editor of its namespace). */
    Optional<UUID> albumNamespace(UUID accountId, UUID albumId) {
        if (!photos()) {
            return Optional.empty();
        }
        return db.jdbc().sql("""
                        SELECT a.namespace_id FROM photos.albums a
                        JOIN ingest.namespace_members m ON m.namespace_id = a.namespace_id AND m.account_id = ?
                                                        AND m.role IN ('owner', 'editor')
                        WHERE a.album_id = ? AND a.deleted_at IS NULL
                        ORDER BY a.namespace_id LIMIT 1""")
                .params(accountId, albumId).query(UUID.class).optional();
    }

    /** What the maker's listing names as the target: a file's current path, a folder's path, an album's name. */
    Optional<String> description(Link link) {
        return switch (link.kind()) {
            case FILE -> db.jdbc().sql("SELECT path FROM readmodel.files WHERE namespace_id = ? AND file_id = ? AND NOT deleted")
                    .params(link.namespaceId(), link.target()).query(String.class).optional();
            case FOLDER -> Optional.of(link.target());
            case ALBUM -> photos() ? db.jdbc().sql("SELECT name FROM photos.albums WHERE namespace_id = ? AND album_id = ?::uuid")
                    .params(link.namespaceId(), link.target()).query(String.class).optional() : Optional.empty();
        };
    }

    // ---- when a link is opened ----

    /** The live files of the link's target, as its page lists them. */
    Listing listing(Link link) {
        List<SharedFile> files = select(link, Optional.empty(), MAX_LISTED + 1);
        boolean truncated = files.size() > MAX_LISTED;
        return new Listing(title(link), truncated ? files.subList(0, MAX_LISTED) : files, truncated);
    }

    /** The file, when it is live and inside the link's target right now. */
    Optional<SharedFile> file(Link link, String fileId) {
        return select(link, Optional.of(fileId), 1).stream().findFirst();
    }

    private String title(Link link) {
        return switch (link.kind()) {
            case FILE -> description(link).map(LinkTargets::lastSegment).orElse("");
            case FOLDER -> lastSegment(link.target());
            case ALBUM -> description(link).orElse("");
        };
    }

    private List<SharedFile> select(Link link, Optional<String> fileId, int limit) {
        boolean photos = photos();
        String thumbnail = photos ? "p.thumbnail_id" : "NULL";
        String photoJoin = photos ? " LEFT JOIN photos.photos p ON p.namespace_id = f.namespace_id AND p.file_id = f.file_id"
                + " AND p.state = 'ready'" : "";
        String columns = "SELECT f.file_id, f.path, f.size, f.chunks::text, f.updated_at, " + thumbnail + " AS thumbnail_id";
        String live = " AND NOT f.deleted AND NOT f.merge_pending" + (fileId.isPresent() ? " AND f.file_id = ?" : "");
        List<Object> params = new ArrayList<>();
        params.add(link.namespaceId());
        String sql = switch (link.kind()) {
            case FILE -> {
                params.add(link.target());
                yield columns + " FROM readmodel.files f" + photoJoin + " WHERE f.namespace_id = ? AND f.file_id = ?" + live;
            }
            case FOLDER -> {
                params.add(likePrefix(link.target() + "/"));
                yield columns + " FROM readmodel.files f" + photoJoin
                        + " WHERE f.namespace_id = ? AND f.path LIKE ? ESCAPE '\\'" + live + " ORDER BY f.path COLLATE \"C\", f.file_id";
            }
            case ALBUM -> {
                if (!photos) {
                    yield null;
                }
                params.add(link.target());
                yield columns + " FROM photos.album_photos ap"
                        + " JOIN photos.albums a ON a.namespace_id = ap.namespace_id AND a.album_id = ap.album_id AND a.deleted_at IS NULL"
                        + " JOIN readmodel.files f ON f.namespace_id = ap.photo_namespace_id AND f.file_id = ap.file_id" + photoJoin
                        + " WHERE ap.namespace_id = ? AND ap.album_id = ?::uuid" + live
                        // as the album shows it, contributions from members' libraries included: photos whose rows
                        // their library still has
                        + " AND EXISTS (SELECT 1 FROM photos.photos pp WHERE pp.namespace_id = ap.namespace_id AND pp.file_id = ap.file_id)"
                        + " ORDER BY ap.position";
            }
        };
        if (sql == null) {
            return List.of();
        }
        fileId.ifPresent(params::add);
        params.add(limit);
        return db.jdbc().sql(sql + " LIMIT ?").params(params).query((rs, i) -> sharedFile(rs, link)).list();
    }

    private SharedFile sharedFile(ResultSet rs, Link link) throws SQLException {
        String path = rs.getString("path");
        String name = link.kind() == Link.Kind.FOLDER ? path.substring(link.target().length() + 1) : lastSegment(path);
        List<SharedFile.Chunk> chunks = new ArrayList<>();
        for (JsonNode c : json.readTree(rs.getString("chunks"))) {
            chunks.add(new SharedFile.Chunk(c.get("id").asString(), c.get("size").asLong()));
        }
        return new SharedFile(rs.getString("file_id"), name, rs.getLong("size"),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant(), chunks,
                Optional.ofNullable(rs.getString("thumbnail_id")));
    }

    private boolean photos() {
        if (!photosPresent.get() && db.jdbc().sql("SELECT to_regclass('photos.album_photos') IS NOT NULL")
                .query(Boolean.class).single()) {
            photosPresent.set(true); // tables, once made, stay
        }
        return photosPresent.get();
    }

    static String lastSegment(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
