package io.cumulus.ingest.shares;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.namespaces.Role;

/**
 * The tables of shares: {@code ingest.namespaces} of kind {@code shared}, their
 * {@code ingest.namespace_members} (with each member's mount path) and {@code ingest.share_invitations}.
 * Plain statements; the rules and the transactions are {@link Shares}'.
 */
final class ShareStore {
    private final IngestDatabase db;

    /** A share's row. */
    record ShareRow(UUID id, String name, UUID owner) {
    }

    /** A member of a share as its answers show it. */
    record MemberRow(UUID accountId, String username, Role role, String mountPath) {
    }

    /** One of the caller's shares, for its listing. */
    record Mounted(UUID shareId, String name, Role role, String owner, String mountPath) {
    }

    /** A pending invitation: of the share's owner's view ({@code username}) or of the invitee's ({@code name}, {@code invitedBy}). */
    record InvitationRow(UUID shareId, String name, String username, Role role, String invitedBy, Instant invitedAt) {
    }

    ShareStore(IngestDatabase db) {
        this.db = db;
    }

    /** How an account stands to a share: its role if a member, the role it is invited with if invited. */
    record Standing(Optional<Role> role, Optional<Role> invited) {
    }

    /**
     * The account's standing in the share, or empty when no share has this id: one statement whatever
     * the answer, so an outsider's request costs the same for a share that exists as for one that does not.
     */
    Optional<Standing> standing(UUID shareId, UUID accountId) {
        return db.jdbc().sql("""
                        SELECT m.role, i.role AS invited
                        FROM ingest.namespaces n
                        LEFT JOIN ingest.namespace_members m ON m.namespace_id = n.id AND m.account_id = ?
                        LEFT JOIN ingest.accounts a ON a.id = ?
                        LEFT JOIN ingest.share_invitations i ON i.namespace_id = n.id AND i.username = lower(a.username)
                        WHERE n.id = ? AND n.kind = 'shared'""")
                .params(accountId, accountId, shareId)
                .query((rs, i) -> new Standing(Optional.ofNullable(rs.getString("role")).map(Role::fromDb),
                        Optional.ofNullable(rs.getString("invited")).map(Role::fromDb)))
                .optional();
    }

    /** The share, locked for update until the transaction ends: every change of one share's members is made one at a time. */
    Optional<ShareRow> lockShare(UUID id) {
        return db.jdbc().sql("SELECT id, name, owner_account FROM ingest.namespaces WHERE id = ? AND kind = 'shared' FOR UPDATE")
                .param(id)
                .query((rs, i) -> new ShareRow(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getObject("owner_account", UUID.class)))
                .optional();
    }

    Optional<ShareRow> share(UUID id) {
        return db.jdbc().sql("SELECT id, name, owner_account FROM ingest.namespaces WHERE id = ? AND kind = 'shared'")
                .param(id)
                .query((rs, i) -> new ShareRow(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getObject("owner_account", UUID.class)))
                .optional();
    }

    /**
     * Serialises the changes of one account's mount paths (creating, accepting, moving a mount) until the
     * transaction ends, so that two of them cannot both pass the nesting check. Taken after the share's lock.
     */
    void lockMountsOf(UUID accountId) {
        db.jdbc().sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))").param("cumulus-mounts:" + accountId)
                .query((rs, i) -> 1).single();
    }

    /** The paths at which the account mounts its shares, besides {@code except}'s. */
    List<String> mountPathsOf(UUID accountId, UUID except) {
        return db.jdbc().sql("""
                        SELECT mount_path FROM ingest.namespace_members
                        WHERE account_id = ? AND namespace_id <> ? AND mount_path IS NOT NULL""")
                .params(accountId, except)
                .query(String.class).list();
    }

    Optional<Role> roleOf(UUID shareId, UUID accountId) {
        return db.jdbc().sql("SELECT role FROM ingest.namespace_members WHERE namespace_id = ? AND account_id = ?")
                .params(shareId, accountId)
                .query(String.class).optional().map(Role::fromDb);
    }

    Optional<MemberRow> member(UUID shareId, UUID accountId) {
        return members(shareId, Optional.of(accountId)).stream().findFirst();
    }

    List<MemberRow> members(UUID shareId) {
        return members(shareId, Optional.empty());
    }

    private List<MemberRow> members(UUID shareId, Optional<UUID> only) {
        return db.jdbc().sql("""
                        SELECT m.account_id, a.username, m.role, m.mount_path
                        FROM ingest.namespace_members m JOIN ingest.accounts a ON a.id = m.account_id
                        WHERE m.namespace_id = ?""" + (only.isPresent() ? " AND m.account_id = ?" : "") + """

                        ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, lower(a.username)""")
                .params(only.isPresent() ? List.of(shareId, only.get()) : List.of(shareId))
                .query((rs, i) -> new MemberRow(rs.getObject("account_id", UUID.class), rs.getString("username"),
                        Role.fromDb(rs.getString("role")), rs.getString("mount_path")))
                .list();
    }

    String usernameOf(UUID accountId) {
        return db.jdbc().sql("SELECT username FROM ingest.accounts WHERE id = ?").param(accountId).query(String.class).single();
    }

    /** The account that has this username, compared as the accounts' unique index compares it. */
    Optional<UUID> accountNamed(String username) {
        return db.jdbc().sql("SELECT id FROM ingest.accounts WHERE lower(username) = lower(?)").param(username)
                .query(UUID.class).optional();
    }

    void insertShare(UUID id, String name, UUID owner) {
        db.jdbc().sql("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?, 'shared', ?, ?)")
                .params(id, name, owner).update();
    }

    void insertMember(UUID shareId, UUID accountId, Role role, String mountPath) {
        db.jdbc().sql("INSERT INTO ingest.namespace_members (namespace_id, account_id, role, mount_path) VALUES (?, ?, ?, ?)")
                .params(shareId, accountId, role.dbValue(), mountPath).update();
    }

    void deleteMember(UUID shareId, UUID accountId) {
        db.jdbc().sql("DELETE FROM ingest.namespace_members WHERE namespace_id = ? AND account_id = ?")
                .params(shareId, accountId).update();
    }

    void updateRole(UUID shareId, UUID accountId, Role role) {
        db.jdbc().sql("UPDATE ingest.namespace_members SET role = ? WHERE namespace_id = ? AND account_id = ?")
                .params(role.dbValue(), shareId, accountId).update();
    }

    void updateMountPath(UUID shareId, UUID accountId, String mountPath) {
        db.jdbc().sql("UPDATE ingest.namespace_members SET mount_path = ? WHERE namespace_id = ? AND account_id = ?")
                .params(mountPath, shareId, accountId).update();
    }

    void updateOwner(UUID shareId, UUID owner) {
        db.jdbc().sql("UPDATE ingest.namespaces SET owner_account = ? WHERE id = ?").params(owner, shareId).update();
    }

    /** The account's shares, by name. */
    List<Mounted> sharesOf(UUID accountId) {
        return db.jdbc().sql("""
                        SELECT n.id, n.name, m.role, o.username AS owner, m.mount_path
                        FROM ingest.namespace_members m
                        JOIN ingest.namespaces n ON n.id = m.namespace_id AND n.kind = 'shared'
                        JOIN ingest.accounts o ON o.id = n.owner_account
                        WHERE m.account_id = ?
                        ORDER BY n.name, n.id""")
                .param(accountId)
                .query((rs, i) -> new Mounted(rs.getObject("id", UUID.class), rs.getString("name"),
                        Role.fromDb(rs.getString("role")), rs.getString("owner"), rs.getString("mount_path")))
                .list();
    }

    /** Creates or replaces the invitation of {@code username} (compared lowercased) to the share. */
    void upsertInvitation(UUID shareId, String username, Role role, UUID invitedBy) {
        db.jdbc().sql("""
                        INSERT INTO ingest.share_invitations (namespace_id, username, role, invited_by) VALUES (?, lower(?), ?, ?)
                        ON CONFLICT (namespace_id, username)
                        DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, created_at = now()""")
                .params(shareId, username, role.dbValue(), invitedBy).update();
    }

    /** The role {@code username} is invited with, locking the invitation until the transaction ends. */
    Optional<Role> lockInvitation(UUID shareId, String username) {
        return db.jdbc().sql("SELECT role FROM ingest.share_invitations WHERE namespace_id = ? AND username = lower(?) FOR UPDATE")
                .params(shareId, username)
                .query(String.class).optional().map(Role::fromDb);
    }

    boolean deleteInvitation(UUID shareId, String username) {
        return db.jdbc().sql("DELETE FROM ingest.share_invitations WHERE namespace_id = ? AND username = lower(?)")
                .params(shareId, username).update() > 0;
    }

    /** The share's pending invitations, oldest first. */
    List<InvitationRow> invitationsOf(UUID shareId) {
        return invitations("i.namespace_id = ?", shareId);
    }

    /** The invitations waiting for {@code username}, oldest first. */
    List<InvitationRow> invitationsFor(String username) {
        return invitations("i.username = lower(?)", username);
    }

    private List<InvitationRow> invitations(String where, Object param) {
        return db.jdbc().sql("""
                        SELECT i.namespace_id, n.name, i.username, i.role, a.username AS invited_by, i.created_at
                        FROM ingest.share_invitations i
                        JOIN ingest.namespaces n ON n.id = i.namespace_id
                        JOIN ingest.accounts a ON a.id = i.invited_by
                        WHERE\s""" + where + " ORDER BY i.created_at, i.namespace_id, i.username")
                .param(param)
                .query((rs, i) -> new InvitationRow(rs.getObject("namespace_id", UUID.class), rs.getString("name"),
                        rs.getString("username"), Role.fromDb(rs.getString("role")), rs.getString("invited_by"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .list();
    }
}
