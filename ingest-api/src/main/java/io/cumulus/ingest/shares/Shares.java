package io.cumulus.ingest.shares;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.namespaces.Role;
import io.cumulus.ingest.shares.ShareStore.InvitationRow;
import io.cumulus.ingest.shares.ShareStore.MemberRow;
import io.cumulus.ingest.shares.ShareStore.Mounted;
import io.cumulus.ingest.shares.ShareStore.ShareRow;

/**
 * The rules of shared folders. Only the owner invites, withdraws invitations, changes roles, removes
 * members and transfers the ownership; the owner cannot leave; an invitee accepts or declines; every
 * member moves its own mount. Each change runs in one transaction that first locks the share's row,
 * so one share's membership changes one at a time and batches in flight are ordered against it (see
 * {@link ShareChunks}), and is recorded in the audit trail of each account it concerns.
 *
 * <p>Who is asking decides what is answered: a share the caller is not a member of is
 * {@link ShareNotFoundException}, exactly as one that does not exist; a member asking for an owner's
 * change is {@link NotShareOwnerException}. An invitee is not a member until it accepts.
 */
public final class Shares {
    private static final Logger log = LoggerFactory.getLogger(Shares.class);
    private static final UUID NIL = new UUID(0, 0);

    private final IngestDatabase db;
    private final ShareStore store;
    private final ShareChunks chunks;
    private final AuditTrail audit;

    /** A share as one member sees it. */
    record Entry(UUID shareId, String name, Role role, String owner, String mountPath) {
    }

    /** A share with its members, and its pending invitations when the owner asks. */
    record Detail(Entry entry, List<MemberRow> members, Optional<List<InvitationRow>> invitations) {
    }

    /** The caller's shares and the invitations waiting for it. */
    record Listing(List<Mounted> shares, List<InvitationRow> invitations) {
    }

    Shares(IngestDatabase db, ShareStore store, ShareChunks chunks, AuditTrail audit) {
        this.db = db;
        this.store = store;
        this.chunks = chunks;
        this.audit = audit;
    }

    Entry create(DeviceSession caller, String name, String mountPath) {
        UUID shareId = UUID.randomUUID();
        Entry entry = db.transactions().execute(tx -> {
            requireMountFree(caller.accountId(), shareId, mountPath);
            store.insertShare(shareId, name, caller.accountId());
            store.insertMember(shareId, caller.accountId(), Role.OWNER, mountPath);
            return new Entry(shareId, name, Role.OWNER, store.usernameOf(caller.accountId()), mountPath);
        });
        log.info("share created shareId={} owner={}", shareId, caller.accountId());
        audit.record(caller.accountId(), caller.deviceId(), "share-created",
                details("shareId", shareId, "name", name, "mountPath", mountPath));
        return entry;
    }

    Listing list(UUID accountId) {
        return new Listing(store.sharesOf(accountId), store.invitationsFor(store.usernameOf(accountId)));
    }

    Detail show(UUID accountId, String shareId) {
        require(accountId, shareId, Needs.MEMBER);
        ShareRow share = id(shareId).flatMap(store::share).orElseThrow(ShareNotFoundException::new);
        MemberRow me = store.member(share.id(), accountId).orElseThrow(ShareNotFoundException::new);
        Optional<List<InvitationRow>> invitations = me.role() == Role.OWNER
                ? Optional.of(store.invitationsOf(share.id())) : Optional.empty();
        return new Detail(entry(share, me), store.members(share.id()), invitations);
    }

    /**
     * Invites {@code username} whether or not an account has that name, so the answer cannot tell; an
     * invitation already pending gets the new role. Inviting a member is refused (the owner sees them).
     */
    void invite(DeviceSession caller, String shareId, String username, Role role) {
        require(caller.accountId(), shareId, Needs.OWNER);
        Optional<UUID> invitee = db.transactions().execute(tx -> {
            ShareRow share = lockAsOwner(caller, shareId);
            Optional<UUID> account = store.accountNamed(username);
            if (account.isPresent() && store.roleOf(share.id(), account.get()).isPresent()) {
                throw new AlreadyShareMemberException(username);
            }
            store.upsertInvitation(share.id(), username, role, caller.accountId());
            return account;
        });
        Map<String, String> details = details("shareId", shareId, "username", username, "role", role.dbValue());
        audit.record(caller.accountId(), caller.deviceId(), "share-invited", details);
        invitee.ifPresent(account -> audit.record(account, null, "share-invited", details));
    }

    void withdraw(DeviceSession caller, String shareId, String username) {
        require(caller.accountId(), shareId, Needs.OWNER);
        boolean withdrawn = Boolean.TRUE.equals(db.transactions().execute(tx ->
                store.deleteInvitation(lockAsOwner(caller, shareId).id(), username)));
        if (withdrawn) {
            log.info("share invitation withdrawn shareId={} username={}", shareId, username);
        }
    }

    /**
     * Makes the invitee a member with the invited role, mounted at {@code mountPath}, and lets it read
     * every chunk the share's versions reference. Accepting again once a member answers the membership
     * as it is (a retry after a lost answer).
     */
    Entry accept(DeviceSession caller, String shareId, String mountPath) {
        require(caller.accountId(), shareId, Needs.MEMBER_OR_INVITEE);
        String username = store.usernameOf(caller.accountId());
        Accepted accepted = db.transactions().execute(tx -> {
            ShareRow share = id(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
            Optional<Role> invited = store.lockInvitation(share.id(), username);
            if (invited.isEmpty()) {
                MemberRow me = store.member(share.id(), caller.accountId()).orElseThrow(ShareNotFoundException::new);
                return new Accepted(share, entry(share, me), false);
            }
            requireMountFree(caller.accountId(), share.id(), mountPath);
            store.deleteInvitation(share.id(), username);
            store.insertMember(share.id(), caller.accountId(), invited.get(), mountPath);
            int granted = chunks.grant(caller.accountId(), share.id());
            log.info("share accepted shareId={} account={} role={} chunksGranted={}", share.id(), caller.accountId(),
                    invited.get().dbValue(), granted);
            return new Accepted(share, new Entry(share.id(), share.name(), invited.get(), store.usernameOf(share.owner()), mountPath), true);
        });
        if (accepted.joined()) {
            Map<String, String> details = details("shareId", shareId, "username", username,
                    "role", accepted.entry().role().dbValue(), "mountPath", mountPath);
            audit.record(caller.accountId(), caller.deviceId(), "share-accepted", details);
            audit.record(accepted.share().owner(), null, "share-accepted", details);
        }
        return accepted.entry();
    }

    private record Accepted(ShareRow share, Entry entry, boolean joined) {
    }

    void decline(DeviceSession caller, String shareId) {
        require(caller.accountId(), shareId, Needs.MEMBER_OR_INVITEE);
        String username = store.usernameOf(caller.accountId());
        ShareRow share = db.transactions().execute(tx -> {
            ShareRow locked = id(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
            if (!store.deleteInvitation(locked.id(), username)) {
                store.roleOf(locked.id(), caller.accountId()).orElseThrow(ShareNotFoundException::new);
                throw new InvitationNotFoundException();
            }
            return locked;
        });
        Map<String, String> details = details("shareId", shareId, "username", username);
        audit.record(caller.accountId(), caller.deviceId(), "share-declined", details);
        audit.record(share.owner(), null, "share-declined", details);
    }

    void leave(DeviceSession caller, String shareId) {
        require(caller.accountId(), shareId, Needs.MEMBER);
        ShareRow share = db.transactions().execute(tx -> {
            ShareRow locked = id(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
            Role role = store.roleOf(locked.id(), caller.accountId()).orElseThrow(ShareNotFoundException::new);
            if (role == Role.OWNER) {
                throw new OwnerCannotLeaveException();
            }
            takeAway(locked.id(), caller.accountId());
            return locked;
        });
        Map<String, String> details = details("shareId", shareId, "username", store.usernameOf(caller.accountId()));
        audit.record(caller.accountId(), caller.deviceId(), "share-left", details);
        audit.record(share.owner(), null, "share-left", details);
    }

    Entry moveMount(DeviceSession caller, String shareId, String mountPath) {
        require(caller.accountId(), shareId, Needs.MEMBER);
        return db.transactions().execute(tx -> {
            ShareRow share = id(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
            MemberRow me = store.member(share.id(), caller.accountId()).orElseThrow(ShareNotFoundException::new);
            requireMountFree(caller.accountId(), share.id(), mountPath);
            store.updateMountPath(share.id(), caller.accountId(), mountPath);
            log.info("share mount moved shareId={} account={}", share.id(), caller.accountId());
            return new Entry(share.id(), share.name(), me.role(), store.usernameOf(share.owner()), mountPath);
        });
    }

    MemberRow changeRole(DeviceSession caller, String shareId, String accountId, Role role) {
        require(caller.accountId(), shareId, Needs.OWNER);
        MemberRow[] before = new MemberRow[1];
        MemberRow changed = db.transactions().execute(tx -> {
            ShareRow share = lockAsOwner(caller, shareId);
            MemberRow member = member(share, accountId);
            if (member.role() == Role.OWNER) {
                throw new OwnerRoleFixedException();
            }
            before[0] = member;
            store.updateRole(share.id(), member.accountId(), role);
            return new MemberRow(member.accountId(), member.username(), role, member.mountPath());
        });
        if (before[0].role() != role) {
            Map<String, String> details = details("shareId", shareId, "username", changed.username(),
                    "from", before[0].role().dbValue(), "to", role.dbValue());
            audit.record(caller.accountId(), caller.deviceId(), "share-role-changed", details);
            audit.record(changed.accountId(), null, "share-role-changed", details);
        }
        return changed;
    }

    void remove(DeviceSession caller, String shareId, String accountId) {
        require(caller.accountId(), shareId, Needs.OWNER);
        MemberRow removed = db.transactions().execute(tx -> {
            ShareRow share = lockAsOwner(caller, shareId);
            MemberRow member = member(share, accountId);
            if (member.role() == Role.OWNER) {
                throw new OwnerCannotLeaveException();
            }
            takeAway(share.id(), member.accountId());
            return member;
        });
        Map<String, String> details = details("shareId", shareId, "username", removed.username());
        audit.record(caller.accountId(), caller.deviceId(), "share-member-removed", details);
        audit.record(removed.accountId(), null, "share-member-removed", details);
    }

    /** Makes a member the owner; the old owner stays as an editor. Transferring to oneself changes nothing. */
    Detail transfer(DeviceSession caller, String shareId, UUID newOwner) {
        require(caller.accountId(), shareId, Needs.OWNER);
        MemberRow target = db.transactions().execute(tx -> {
            ShareRow share = lockAsOwner(caller, shareId);
            MemberRow member = member(share, newOwner.toString());
            if (member.role() != Role.OWNER) {
                store.updateRole(share.id(), caller.accountId(), Role.EDITOR);
                store.updateRole(share.id(), member.accountId(), Role.OWNER);
                store.updateOwner(share.id(), member.accountId());
            }
            return member;
        });
        if (target.role() != Role.OWNER) {
            Map<String, String> details = details("shareId", shareId, "from", store.usernameOf(caller.accountId()),
                    "to", target.username());
            log.info("share ownership transferred shareId={} from={} to={}", shareId, caller.accountId(), target.accountId());
            audit.record(caller.accountId(), caller.deviceId(), "share-ownership-transferred", details);
            audit.record(target.accountId(), null, "share-ownership-transferred", details);
        }
        return show(caller.accountId(), shareId);
    }

    /** Ends a membership: the row goes, and with it every read and write of the share, on every instance at once. */
    private void takeAway(UUID shareId, UUID accountId) {
        store.deleteMember(shareId, accountId);
        int revoked = chunks.revoke(accountId, shareId);
        log.info("share membership ended shareId={} account={} chunksRevoked={}", shareId, accountId, revoked);
    }

    /** What a caller must be to be told more than {@link ShareNotFoundException}. */
    private enum Needs { MEMBER, OWNER, MEMBER_OR_INVITEE }

    /**
     * Refuses, before any lock is taken, a caller who may not use the share this way: one statement,
     * the same for a share that does not exist, a malformed id (asked as the nil id) and a share the
     * caller is not in, so neither the answer nor its timing tells them apart. The transaction that
     * follows checks again under the share's lock, since membership may change in between.
     */
    private void require(UUID accountId, String shareId, Needs needs) {
        Optional<ShareStore.Standing> standing = store.standing(id(shareId).orElse(NIL), accountId);
        boolean member = standing.flatMap(ShareStore.Standing::role).isPresent();
        boolean invited = standing.flatMap(ShareStore.Standing::invited).isPresent();
        boolean allowed = switch (needs) {
            case MEMBER, OWNER -> member;
            case MEMBER_OR_INVITEE -> member || invited;
        };
        if (!allowed) {
            throw new ShareNotFoundException();
        }
        if (needs == Needs.OWNER && standing.flatMap(ShareStore.Standing::role).orElseThrow() != Role.OWNER) {
            throw new NotShareOwnerException();
        }
    }

    private ShareRow lockAsOwner(DeviceSession caller, String shareId) {
        ShareRow share = id(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
        Role role = store.roleOf(share.id(), caller.accountId()).orElseThrow(ShareNotFoundException::new);
        if (role != Role.OWNER) {
            throw new NotShareOwnerException();
        }
        return share;
    }

    private MemberRow member(ShareRow share, String accountId) {
        return ShareRequests.accountId(accountId).flatMap(id -> store.member(share.id(), id))
                .orElseThrow(ShareMemberNotFoundException::new);
    }

    private void requireMountFree(UUID accountId, UUID shareId, String mountPath) {
        store.lockMountsOf(accountId);
        MountPaths.clash(mountPath, store.mountPathsOf(accountId, shareId)).ifPresent(taken -> {
            throw new MountPathTakenException(mountPath, taken);
        });
    }

    private Entry entry(ShareRow share, MemberRow me) {
        return new Entry(share.id(), share.name(), me.role(), store.usernameOf(share.owner()), me.mountPath());
    }

    private static Optional<UUID> id(String shareId) {
        return ShareRequests.shareId(shareId);
    }

    private static Map<String, String> details(Object... pairs) {
        Map<String, String> details = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            details.put((String) pairs[i], String.valueOf(pairs[i + 1]));
        }
        return details;
    }
}
