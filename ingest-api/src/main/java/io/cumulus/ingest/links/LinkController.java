package io.cumulus.ingest.links;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.auth.PasswordHasher;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The maker's side of public links, with a device token: make one ({@code POST /v1/links}; the token is
 * in this answer and nowhere else, ever), list one's own ({@code GET /v1/links}, without tokens), and
 * revoke one ({@code DELETE /v1/links/{id}}, at once). A member links only what it may write: the
 * owner or an editor of the namespace, never a viewer.
 */
@RestController
class LinkController {
    private static final Logger log = LoggerFactory.getLogger(LinkController.class);
    private static final BodyLimit BODY_LIMIT = BodyLimit.ofKiB(16);
    static final int MAX_PASSWORD_CHARS = 1024;

    private final LinkStore links;
    private final LinkTargets targets;
    private final NamespaceMembership membership;
    private final PasswordHasher hasher;
    private final AuditTrail audit;
    private final JsonBody json;
    private final SecureRandom random = new SecureRandom();

    record NewLink(String namespaceId, String path, String albumId, String expiresIn, String expiresAt, String password) {
    }

    record Made(UUID linkId, String token, String url, String kind, Instant expiresAt) {
    }

    /** One of the caller's links; {@code target} is a path, or an album's name (with {@code albumId}). */
    record Listed(UUID linkId, String kind, UUID namespaceId, String target, String albumId, boolean passwordProtected,
                  Instant createdAt, Instant expiresAt, Instant revokedAt, String state) {
    }

    record Listing(List<Listed> links) {
    }

    LinkController(LinkStore links, LinkTargets targets, NamespaceMembership membership, PasswordHasher hasher,
                   AuditTrail audit, JsonBody json) {
        this.links = links;
        this.targets = targets;
        this.membership = membership;
        this.hasher = hasher;
        this.audit = audit;
        this.json = json;
    }

    @PostMapping("/v1/links")
    ResponseEntity<Made> create(DeviceSession session, HttpServletRequest request) {
        NewLink asked = json.read(request, BODY_LIMIT, NewLink.class);
        Instant now = Instant.now();
        Optional<Instant> expiresAt = LinkExpiry.of(asked.expiresIn(), asked.expiresAt(), now);
        if (asked.password() != null && (asked.password().isEmpty() || asked.password().length() > MAX_PASSWORD_CHARS)) {
            throw invalid("a link password is 1 to " + MAX_PASSWORD_CHARS + " characters");
        }
        if ((asked.path() == null) == (asked.albumId() == null)) {
            throw invalid("name what to link: a path, or an albumId");
        }
        UUID namespace;
        LinkTargets.Target target;
        Map<String, String> details = new LinkedHashMap<>();
        if (asked.path() != null) {
            namespace = membership.requireWriter(session.accountId(), asked.namespaceId() != null ? asked.namespaceId()
                    : links.homeNamespace(session.accountId()).toString());
            String path = folderless(asked.path());
            target = targets.fileOrFolder(namespace, path).orElseThrow(() -> LinkTargetNotFoundException.path(path));
            details.put("path", path);
        } else {
            UUID albumId;
            try {
                albumId = UUID.fromString(asked.albumId());
            } catch (IllegalArgumentException e) {
                throw LinkTargetNotFoundException.album(asked.albumId());
            }
            namespace = targets.albumNamespace(session.accountId(), albumId)
                    .orElseThrow(() -> LinkTargetNotFoundException.album(asked.albumId()));
            target = new LinkTargets.Target(Link.Kind.ALBUM, albumId.toString());
            details.put("albumId", albumId.toString());
        }
        LinkToken token = LinkToken.random(random);
        Link link = new Link(UUID.randomUUID(), session.accountId(), namespace, target.kind(), target.target(), expiresAt,
                Optional.ofNullable(asked.password()).map(hasher::hash), now, Optional.empty());
        links.insert(link, token);
        details.put("linkId", link.id().toString());
        details.put("kind", link.kind().dbValue());
        details.put("namespaceId", namespace.toString());
        details.put("expiresAt", expiresAt.map(Instant::toString).orElse("never"));
        details.put("password", link.passwordHash().isPresent() ? "yes" : "no");
        recordOnMakerAndOwner(link, session.deviceId(), "link-created", details);
        log.info("link created linkId={} accountId={} namespaceId={} kind={} expiresAt={} password={}", link.id(),
                session.accountId(), namespace, link.kind().dbValue(), expiresAt.orElse(null), link.passwordHash().isPresent());
        return ResponseEntity.created(URI.create("/v1/links/" + link.id()))
                .body(new Made(link.id(), token.value(), "/s/" + token.value(), link.kind().dbValue(), expiresAt.orElse(null)));
    }

    @GetMapping("/v1/links")
    Listing list(DeviceSession session) {
        Instant now = Instant.now();
        return new Listing(links.madeBy(session.accountId()).stream()
                .map(l -> new Listed(l.id(), l.kind().dbValue(), l.namespaceId(), targets.description(l).orElse(null),
                        l.kind() == Link.Kind.ALBUM ? l.target() : null, l.passwordHash().isPresent(), l.createdAt(),
                        l.expiresAt().orElse(null), l.revokedAt().orElse(null), l.state(now)))
                .toList());
    }

    /** Revokes the link for every instance from this moment; revoking it again changes nothing. */
    @DeleteMapping("/v1/links/{linkId}")
    ResponseEntity<Void> revoke(DeviceSession session, @PathVariable String linkId) {
        UUID id;
        try {
            id = UUID.fromString(linkId);
        } catch (IllegalArgumentException e) {
            throw LinkNotFoundException.id(linkId);
        }
        Link link = links.revocableBy(session.accountId(), id).orElseThrow(() -> LinkNotFoundException.id(linkId));
        if (link.revokedAt().isEmpty()) {
            links.revoke(id);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("linkId", id.toString());
            details.put("kind", link.kind().dbValue());
            details.put("namespaceId", link.namespaceId().toString());
            details.put("revokedBy", session.accountId().toString());
            recordOnMakerAndOwner(link, session.deviceId(), "link-revoked", details);
            log.info("link revoked linkId={} by accountId={}", id, session.accountId());
        }
        return ResponseEntity.noContent().build();
    }

    /** A link concerns its maker and, when someone else owns the namespace it opens, that owner too. */
    private void recordOnMakerAndOwner(Link link, UUID deviceId, String action, Map<String, String> details) {
        audit.record(link.accountId(), deviceId, action, details);
        links.ownerOf(link.namespaceId()).filter(owner -> !owner.equals(link.accountId()))
                .ifPresent(owner -> audit.record(owner, deviceId, action, details));
    }

    /** The path as stored: one trailing {@code /} (a folder as typed) dropped, then a valid {@link SyncPath}. */
    private static String folderless(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        try {
            return SyncPath.parse(p).value();
        } catch (InvalidPathException e) {
            throw invalid("path is not a valid path inside a namespace: " + e.getMessage());
        }
    }

    private static InvalidRequestException invalid(String detail) {
        return new InvalidRequestException("invalid-link-request", "Invalid link request", detail);
    }
}
