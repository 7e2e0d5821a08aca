package io.cumulus.ingest.photos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * Who an album is shared with (docs/decisions/0032): its owner shares it with another account to
 * {@code view} or to {@code contribute}, changes a member's role, or removes a member; a member may
 * leave. Each is an {@code AlbumEvent} ({@code SHARED}, {@code UNSHARED}) like every album change, and
 * the answer waits for the projection, so when it says a member is gone, the member's next request
 * no longer finds the album (nor do the others find that member's contributions). Each is recorded in
 * the audit log of the owner and of the member ({@code album-shared}, {@code album-unshared}).
 */
@RestController
public class AlbumMemberController {
    private static final Logger log = LoggerFactory.getLogger(AlbumMemberController.class);

    private final Albums albums;
    private final AlbumAccess access;
    private final AlbumEvents events;
    private final AlbumEventPublisher publisher;
    private final ProjectionWait projection;
    private final JsonBody json;
    private final AuditTrail audit;

    AlbumMemberController(Albums albums, AlbumAccess access, AlbumEvents events, AlbumEventPublisher publisher,
                          ProjectionWait projection, JsonBody json, AuditTrail audit) {
        this.albums = albums;
        this.access = access;
        this.events = events;
        this.publisher = publisher;
        this.projection = projection;
        this.json = json;
        this.audit = audit;
    }

    /** Shares the album with the account named {@code username} as {@code role}; an existing member gets the role. */
    @PostMapping("/v1/albums/{albumId}/members")
    ResponseEntity<?> share(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("shares it");
        JsonNode body = json.readTree(request, AlbumController.LIMIT);
        String role = role(body);
        JsonNode username = body.get("username");
        if (username == null || !username.isString() || username.asString().isBlank()) {
            throw new InvalidRequestException("invalid-username", "Invalid username", "username must be a non-empty string");
        }
        Albums.Member account = albums.account(username.asString()).orElseThrow(() -> new AccountNotFoundException(username.asString()));
        if (account.accountId().equals(session.accountId())) {
            throw new InvalidRequestException("invalid-album-member", "Invalid album member",
                    "the album is its owner's already; share it with another account");
        }
        return publishShared(a, new Albums.Member(account.accountId(), account.username(), role), HttpStatus.CREATED);
    }

    /** Gives a member another role. */
    @PutMapping("/v1/albums/{albumId}/members/{accountId}")
    ResponseEntity<?> changeRole(DeviceSession session, @PathVariable String albumId, @PathVariable String accountId,
                                 HttpServletRequest request) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("changes who it is shared with");
        Albums.Member member = requireMember(a, accountId);
        String role = role(json.readTree(request, AlbumController.LIMIT));
        return publishShared(a, new Albums.Member(member.accountId(), member.username(), role), HttpStatus.OK);
    }

    /** Removes a member: the album, and the photos they contributed to it, are gone for them and from it at once. */
    @DeleteMapping("/v1/albums/{albumId}/members/{accountId}")
    ResponseEntity<?> remove(DeviceSession session, @PathVariable String albumId, @PathVariable String accountId) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("changes who it is shared with");
        return publishUnshared(a, requireMember(a, accountId), false);
    }

    /** The caller leaves an album shared with it; its contributions leave the album with it. */
    @DeleteMapping("/v1/albums/{albumId}/members/me")
    ResponseEntity<?> leave(DeviceSession session, @PathVariable String albumId) {
        AlbumAccess.Access a = access.require(session, albumId);
        if (a.owner()) {
            throw new InvalidRequestException("owner-cannot-leave", "The owner cannot leave",
                    "the owner of an album does not leave it; delete it, or remove its members");
        }
        return publishUnshared(a, requireMember(a, session.accountId().toString()), true);
    }

    private ResponseEntity<?> publishShared(AlbumAccess.Access a, Albums.Member member, HttpStatus status) {
        AlbumEvent event = event(a, AlbumEventKind.SHARED, member).setMemberRole(member.role()).build();
        boolean projected = projection.projected(publisher.publish(event));
        Map<String, String> details = details(a, member);
        details.put("role", member.role());
        audit.record(a.album().ownerId(), a.session().deviceId(), "album-shared", details);
        audit.record(member.accountId(), a.session().deviceId(), "album-shared", details);
        log.info("album shared album={} namespace={} member={} role={}", a.album().albumId(), a.album().namespace(),
                member.accountId(), member.role());
        if (!projected) {
            return ResponseEntity.accepted().body(Accepted.of(a.album().albumId(), event.getEventId()));
        }
        return ResponseEntity.status(status).body(member);
    }

    private ResponseEntity<?> publishUnshared(AlbumAccess.Access a, Albums.Member member, boolean left) {
        AlbumEvent event = event(a, AlbumEventKind.UNSHARED, member).build();
        boolean projected = projection.projected(publisher.publish(event));
        Map<String, String> details = details(a, member);
        details.put("by", left ? "member" : "owner");
        audit.record(a.album().ownerId(), a.session().deviceId(), "album-unshared", details);
        audit.record(member.accountId(), a.session().deviceId(), "album-unshared", details);
        log.info("album unshared album={} namespace={} member={} by={}", a.album().albumId(), a.album().namespace(),
                member.accountId(), details.get("by"));
        if (!projected) {
            return ResponseEntity.accepted().body(Accepted.of(a.album().albumId(), event.getEventId()));
        }
        return ResponseEntity.noContent().build();
    }

    private AlbumEvent.Builder event(AlbumAccess.Access a, AlbumEventKind kind, Albums.Member member) {
        return events.of(a.session(), a.album().namespace(), kind, a.album().albumId())
                .setMemberAccountId(member.accountId().toString());
    }

    private static Map<String, String> details(AlbumAccess.Access a, Albums.Member member) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("albumId", a.album().albumId().toString());
        details.put("owner", a.album().owner());
        details.put("memberAccountId", member.accountId().toString());
        details.put("member", member.username());
        return details;
    }

    private Albums.Member requireMember(AlbumAccess.Access a, String accountId) {
        return albums.members(a.album()).stream().filter(m -> m.accountId().toString().equals(accountId)).findFirst()
                .orElseThrow(() -> new AlbumMemberNotFoundException(accountId));
    }

    private static String role(JsonNode body) {
        JsonNode role = body.get("role");
        if (role == null || !role.isString() || !(role.asString().equals("view") || role.asString().equals("contribute"))) {
            throw new InvalidRequestException("invalid-album-role", "Invalid album role", "role must be view or contribute");
        }
        return role.asString();
    }
}
