package io.cumulus.ingest.links;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * {@code ingest.links}. Whether a link opens is decided here, by PostgreSQL's clock, on every call of
 * {@link #open} and {@link #stillOpen}: not revoked, not expired, and its maker still a member of the
 * namespace who may write there (a member removed from a share, or made a viewer, no longer shares
 * its files with the world). Nothing is cached, so every instance agrees at once.
 */
final class LinkStore {
    private static final String COLUMNS = """
            l.id, l.account_id, l.namespace_id, l.kind, l.target, l.expires_at, l.password_hash, l.created_at, l.revoked_at""";
    private static final String OPEN = """
            l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > now())
            AND EXISTS (SELECT 1 FROM ingest.namespace_members m
                        WHERE m.namespace_id = l.namespace_id AND m.account_id = l.account_id AND m.role IN ('owner', 'editor'))""";

    private final IngestDatabase db;

    LinkStore(IngestDatabase db) {
        this.db = db;
    }

    void insert(Link link, LinkToken token) {
        db.jdbc().sql("""
                        INSERT INTO ingest.links (id, token_sha256, account_id, namespace_id, kind, target, expires_at,
                                                  password_hash, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(link.id(), token.sha256(), link.accountId(), link.namespaceId(), link.kind().dbValue(), link.target(),
                        link.expiresAt().map(LinkStore::timestamp).orElse(null), link.passwordHash().orElse(null),
                        timestamp(link.createdAt()))
                .update();
    }

    /** The link this token opens now; empty alike for a token no link has, a revoked link and an expired one. */
    Optional<Link> open(LinkToken token) {
        return db.jdbc().sql("SELECT " + COLUMNS + " FROM ingest.links l WHERE l.token_sha256 = ? AND " + OPEN)
                .param(token.sha256())
                .query((rs, i) -> link(rs)).optional();
    }

    /** Whether the link still opens: asked again between the chunks of a download. */
    boolean stillOpen(UUID linkId) {
        return db.jdbc().sql("SELECT EXISTS (SELECT 1 FROM ingest.links l WHERE l.id = ? AND " + OPEN + ")")
                .param(linkId).query(Boolean.class).single();
    }

    /** The links the account made, newest first, revoked and expired ones included. */
    List<Link> madeBy(UUID accountId) {
        return db.jdbc().sql("SELECT " + COLUMNS + " FROM ingest.links l WHERE l.account_id = ? ORDER BY l.created_at DESC, l.id")
                .param(accountId).query((rs, i) -> link(rs)).list();
    }

    /**
     * The link, when this account may revoke it: its maker, or the owner of the namespace it shows
     * (the owner of a share can withdraw what an editor published). Anyone else finds no link.
     */
    Optional<Link> revocableBy(UUID accountId, UUID linkId) {
        return db.jdbc().sql("SELECT " + COLUMNS + " " + """
                        FROM ingest.links l WHERE l.id = ? AND (l.account_id = ?
                            OR EXISTS (SELECT 1 FROM ingest.namespace_members m
                                       WHERE m.namespace_id = l.namespace_id AND m.account_id = ? AND m.role = 'owner'))""")
                .params(linkId, accountId, accountId)
                .query((rs, i) -> link(rs)).optional();
    }

    /** Revokes the link from now on; a link revoked before keeps its first revocation time. */
    void revoke(UUID linkId) {
        db.jdbc().sql("UPDATE ingest.links SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL").param(linkId).update();
    }

    /** The account's home namespace: where a link is made when the request names none. */
    UUID homeNamespace(UUID accountId) {
        return db.jdbc().sql("SELECT home_namespace FROM ingest.accounts WHERE id = ?").param(accountId).query(UUID.class).single();
    }

    /** The namespace's owner, who hears of links made into it by others. */
    Optional<UUID> ownerOf(UUID namespaceId) {
        return db.jdbc().sql("SELECT owner_account FROM ingest.namespaces WHERE id = ?").param(namespaceId)
                .query(UUID.class).optional();
    }

    private static Link link(ResultSet rs) throws SQLException {
        return new Link(rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class),
                rs.getObject("namespace_id", UUID.class), Link.Kind.fromDb(rs.getString("kind")), rs.getString("target"),
                Optional.ofNullable(instant(rs, "expires_at")), Optional.ofNullable(rs.getString("password_hash")),
                instant(rs, "created_at"), Optional.ofNullable(instant(rs, "revoked_at")));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    private static OffsetDateTime timestamp(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
