package io.cumulus.ingest.shares;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.namespaces.Role;
import io.cumulus.ingest.shares.ShareStore.InvitationRow;
import io.cumulus.ingest.shares.ShareStore.MemberRow;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/shares}: create a shared folder, list one's shares and invitations, invite, accept,
 * decline, leave, move one's mount, change roles, remove members and transfer the ownership. Thin:
 * bodies are read and checked here ({@link ShareRequests}), the rules are {@link Shares}'. The files
 * of a share are read and written through the namespace endpoints like any other namespace's.
 */
@RestController
public class ShareController {
    private static final BodyLimit LIMIT = BodyLimit.ofKiB(16);

    private final Shares shares;
    private final JsonBody json;

    record ShareEntry(UUID shareId, String name, String role, String owner, String mountPath) {
        static ShareEntry of(Shares.Entry e) {
            return new ShareEntry(e.shareId(), e.name(), e.role().dbValue(), e.owner(), e.mountPath());
        }
    }

    record PendingInvitation(UUID shareId, String name, String role, String invitedBy, Instant invitedAt) {
        static PendingInvitation of(InvitationRow i) {
            return new PendingInvitation(i.shareId(), i.name(), i.role().dbValue(), i.invitedBy(), i.invitedAt());
        }
    }

    record ShareList(List<ShareEntry> shares, List<PendingInvitation> invitations) {
    }

    record Member(UUID accountId, String username, String role) {
        static Member of(MemberRow m) {
            return new Member(m.accountId(), m.username(), m.role().dbValue());
        }
    }

    record Invited(String username, String role, Instant invitedAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ShareDetail(UUID shareId, String name, String owner, String role, String mountPath, List<Member> members,
                       List<Invited> invitations) {
        static ShareDetail of(Shares.Detail d) {
            return new ShareDetail(d.entry().shareId(), d.entry().name(), d.entry().owner(), d.entry().role().dbValue(),
                    d.entry().mountPath(), d.members().stream().map(Member::of).toList(),
                    d.invitations().map(list -> list.stream()
                            .map(i -> new Invited(i.username(), i.role().dbValue(), i.invitedAt())).toList()).orElse(null));
        }
    }

    record Invitation(UUID shareId, String username, String role) {
    }

    ShareController(Shares shares, JsonBody json) {
        this.shares = shares;
        this.json = json;
    }

    @PostMapping("/v1/shares")
    ResponseEntity<ShareEntry> create(DeviceSession session, HttpServletRequest request) {
        JsonNode body = json.readTree(request, LIMIT);
        String name = ShareRequests.name(body);
        String mountPath = ShareRequests.mountPath(body);
        ShareEntry entry = ShareEntry.of(shares.create(session, name, mountPath));
        return ResponseEntity.created(URI.create("/v1/shares/" + entry.shareId())).body(entry);
    }

    @GetMapping("/v1/shares")
    ShareList list(DeviceSession session) {
        Shares.Listing listing = shares.list(session.accountId());
        return new ShareList(
                listing.shares().stream().map(m -> new ShareEntry(m.shareId(), m.name(), m.role().dbValue(), m.owner(), m.mountPath()))
                        .toList(),
                listing.invitations().stream().map(PendingInvitation::of).toList());
    }

    @GetMapping("/v1/shares/{shareId}")
    ShareDetail show(DeviceSession session, @PathVariable String shareId) {
        return ShareDetail.of(shares.show(session.accountId(), shareId));
    }

    @PostMapping("/v1/shares/{shareId}/invitations")
    ResponseEntity<Invitation> invite(DeviceSession session, @PathVariable String shareId, HttpServletRequest request) {
        JsonNode body = json.readTree(request, LIMIT);
        String username = ShareRequests.username(body);
        Role role = ShareRequests.role(body);
        shares.invite(session, shareId, username, role);
        Invitation invitation = new Invitation(UUID.fromString(shareId), username.toLowerCase(java.util.Locale.ROOT), role.dbValue());
        return ResponseEntity.created(URI.create("/v1/shares/" + shareId + "/invitations/" + invitation.username()))
                .body(invitation);
    }

    @DeleteMapping("/v1/shares/{shareId}/invitations/{username}")
    ResponseEntity<Void> withdraw(DeviceSession session, @PathVariable String shareId, @PathVariable String username) {
        shares.withdraw(session, shareId, username);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/v1/shares/{shareId}/accept")
    ShareEntry accept(DeviceSession session, @PathVariable String shareId, HttpServletRequest request) {
        String mountPath = ShareRequests.mountPath(json.readTree(request, LIMIT));
        return ShareEntry.of(shares.accept(session, shareId, mountPath));
    }

    @PostMapping("/v1/shares/{shareId}/decline")
    ResponseEntity<Void> decline(DeviceSession session, @PathVariable String shareId) {
        shares.decline(session, shareId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/v1/shares/{shareId}/leave")
    ResponseEntity<Void> leave(DeviceSession session, @PathVariable String shareId) {
        shares.leave(session, shareId);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/v1/shares/{shareId}/mount")
    ShareEntry mount(DeviceSession session, @PathVariable String shareId, HttpServletRequest request) {
        String mountPath = ShareRequests.mountPath(json.readTree(request, LIMIT));
        return ShareEntry.of(shares.moveMount(session, shareId, mountPath));
    }

    @PutMapping("/v1/shares/{shareId}/members/{accountId}")
    Member changeRole(DeviceSession session, @PathVariable String shareId, @PathVariable String accountId,
                      HttpServletRequest request) {
        Role role = ShareRequests.role(json.readTree(request, LIMIT));
        return Member.of(shares.changeRole(session, shareId, accountId, role));
    }

    @DeleteMapping("/v1/shares/{shareId}/members/{accountId}")
    ResponseEntity<Void> remove(DeviceSession session, @PathVariable String shareId, @PathVariable String accountId) {
        shares.remove(session, shareId, accountId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/v1/shares/{shareId}/owner")
    ShareDetail transfer(DeviceSession session, @PathVariable String shareId, HttpServletRequest request) {
        UUID newOwner = ShareRequests.newOwner(json.readTree(request, LIMIT));
        return ShareDetail.of(shares.transfer(session, shareId, newOwner));
    }
}
