package io.cumulus.ingest.shares;

import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.namespaces.Role;
import io.cumulus.ingest.shares.ShareStore.MemberRow;
import io.cumulus.ingest.shares.ShareStore.ShareRow;
import io.cumulus.ingest.shares.ShareStore.Standing;

/**
 * Who may use a share which way, and what everyone else is told: {@link ShareNotFoundException} for
 * a share that does not exist, a malformed id and a share the caller is not in (an invitation admits
 * only to accepting and declining); {@link NotShareOwnerException} for a member asking for an
 * owner's change.
 */
final class ShareAccess {
    private static final UUID NIL = new UUID(0, 0);

    /** What a caller must be to be told more than {@link ShareNotFoundException}. */
    enum Needs { MEMBER, OWNER, MEMBER_OR_INVITEE }

    private final ShareStore store;

    ShareAccess(ShareStore store) {
        this.store = store;
    }

    /**
     * Refuses, before any lock is taken, a caller who may not use the share this way: one statement,
     * the same for a share that does not exist, a malformed id (asked as the nil id) and a share the
     * caller is not in, so neither the answer nor its timing tells them apart. The transaction that
     * follows checks again under the share's lock, since membership may change in between.
     */
    void require(UUID accountId, String shareId, Needs needs) {
        Optional<Standing> standing = store.standing(ShareRequests.shareId(shareId).orElse(NIL), accountId);
        Optional<Role> role = standing.flatMap(Standing::role);
        boolean invited = standing.flatMap(Standing::invited).isPresent();
        boolean allowed = switch (needs) {
            case MEMBER, OWNER -> role.isPresent();
            case MEMBER_OR_INVITEE -> role.isPresent() || invited;
        };
        if (!allowed) {
            throw new ShareNotFoundException();
        }
        if (needs == Needs.OWNER && role.get() != Role.OWNER) {
            throw new NotShareOwnerException();
        }
    }

    /** The share, locked for update until the transaction ends. */
    ShareRow lockShare(String shareId) {
        return ShareRequests.shareId(shareId).flatMap(store::lockShare).orElseThrow(ShareNotFoundException::new);
    }

    /** The share, locked, when the caller owns it. */
    ShareRow lockAsOwner(UUID accountId, String shareId) {
        ShareRow share = lockShare(shareId);
        Role role = store.roleOf(share.id(), accountId).orElseThrow(ShareNotFoundException::new);
        if (role != Role.OWNER) {
            throw new NotShareOwnerException();
        }
        return share;
    }

    /** The member of the share with this account id; {@link ShareMemberNotFoundException} for anyone else or a malformed id. */
    MemberRow member(ShareRow share, String accountId) {
        return ShareRequests.accountId(accountId).flatMap(id -> store.member(share.id(), id))
                .orElseThrow(ShareMemberNotFoundException::new);
    }
}
