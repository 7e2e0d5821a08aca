package io.cumulus.ingest.namespaces;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * Who may read and write which namespace ({@code ingest.namespace_members}). Every check answers
 * {@link NamespaceNotFoundException} alike for a namespace that does not exist, one the account
 * is not a member of, and one it may only read when writing was asked.
 */
public final class NamespaceMembership {
    private final IngestDatabase db;

    /**
     * One namespace as an account sees it in its login answer; {@code mountPath} is where the member
     * mounts a shared namespace in its synced tree, null for its home namespace (mounted at the root).
     */
    public record Membership(UUID id, String name, String kind, Role role, String mountPath) {
    }

    public NamespaceMembership(IngestDatabase db) {
        this.db = db;
    }

    public Optional<Role> roleOf(UUID accountId, UUID namespaceId) {
        return db.jdbc().sql("SELECT role FROM ingest.namespace_members WHERE namespace_id = ? AND account_id = ?")
                .params(namespaceId, accountId)
                .query(String.class).optional().map(Role::fromDb);
    }

    /** The namespace, when the account is a member with any role. */
    public UUID requireReader(UUID accountId, String namespaceId) {
        UUID id = parse(namespaceId);
        roleOf(accountId, id).orElseThrow(() -> new NamespaceNotFoundException(namespaceId));
        return id;
    }

    /** The namespace, when the account is a member that may write (owner or editor). */
    public UUID requireWriter(UUID accountId, String namespaceId) {
        UUID id = parse(namespaceId);
        roleOf(accountId, id).filter(Role::canWrite).orElseThrow(() -> new NamespaceNotFoundException(namespaceId));
        return id;
    }

    /**
     * As {@link #requireWriter}, for a transaction that is about to write a batch of the namespace:
     * first takes a share lock on the namespace's row, held until the transaction ends, so that a
     * change of membership (which locks the row for update, see {@code io.cumulus.ingest.shares})
     * waits for batches in flight and they for it. A new member is then granted the chunks of every
     * batch committed before it joined, and a removed member none committed after it left.
     */
    public UUID requireWriterForBatch(UUID accountId, String namespaceId) {
        UUID id = parse(namespaceId);
        db.jdbc().sql("SELECT id FROM ingest.namespaces WHERE id = ? FOR SHARE").param(id)
                .query(UUID.class).optional().orElseThrow(() -> new NamespaceNotFoundException(namespaceId));
        // A statement of its own, after the lock: its snapshot sees a membership change that committed meanwhile.
        roleOf(accountId, id).filter(Role::canWrite).orElseThrow(() -> new NamespaceNotFoundException(namespaceId));
        return id;
    }

    public List<Membership> namespacesOf(UUID accountId) {
        return db.jdbc().sql("""
                        SELECT n.id, n.name, n.kind, m.role, m.mount_path
                        FROM ingest.namespace_members m JOIN ingest.namespaces n ON n.id = m.namespace_id
                        WHERE m.account_id = ?
                        ORDER BY n.kind, n.name, n.id""")
                .param(accountId)
                .query((rs, i) -> new Membership(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getString("kind"), Role.fromDb(rs.getString("role")), rs.getString("mount_path")))
                .list();
    }

    private static UUID parse(String namespaceId) {
        try {
            return UUID.fromString(namespaceId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new NamespaceNotFoundException(String.valueOf(namespaceId));
        }
    }
}
