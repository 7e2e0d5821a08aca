package io.cumulus.ingest.links;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.PublicEndpoint;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.gateway.TooManyRequestsException;
import io.cumulus.ingest.web.ProblemException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What anyone holding a link's token sees, without a device token: {@code GET /s/<token>} lists the
 * link's files (an HTML page, or JSON for {@code Accept: application/json}); {@code POST /s/<token>}
 * takes the password form; {@code /s/<token>/files/<id>} and {@code /thumbnails/<id>} serve a file of
 * the target and a photo's thumbnail. Every request passes {@link LinkAccess} first. A token that
 * opens nothing, a file outside the target and a missing password on a file all answer the same 404.
 */
@RestController
class PublicLinkController {
    private static final MediaType HTML = MediaType.parseMediaType("text/html;charset=UTF-8");
    private static final URI SURFACE = URI.create("/s/");

    private final LinkAccess access;
    private final LinkTargets targets;
    private final LinkStore links;
    private final LinkDownload downloads;
    private final BlobStore blobs;

    /** A link's listing as JSON: the same files as its page, with the addresses to fetch them. */
    record Listing(String kind, String name, Instant expiresAt, boolean truncated, List<Listed> files) {
    }

    record Listed(String fileId, String name, long size, Instant updatedAt, String download, String thumbnail) {
    }

    PublicLinkController(LinkAccess access, LinkTargets targets, LinkStore links, LinkDownload downloads, BlobStore blobs) {
        this.access = access;
        this.targets = targets;
        this.links = links;
        this.downloads = downloads;
        this.blobs = blobs;
    }

    @PublicEndpoint
    @GetMapping("/s/{token}")
    ResponseEntity<?> page(@PathVariable String token, HttpServletRequest request) {
        LinkAccess.Opened opened = require(request, token);
        if (!access.unlocked(request, opened)) {
            if (wantsJson(request)) {
                throw new LinkPasswordRequiredException();
            }
            return html(HttpStatus.OK, LinkPage.passwordForm(opened.token(), false));
        }
        LinkTargets.Listing listing = targets.listing(opened.link());
        if (wantsJson(request)) {
            String base = "/s/" + opened.token().value();
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(new Listing(
                    opened.link().kind().dbValue(), listing.title(), opened.link().expiresAt().orElse(null), listing.truncated(),
                    listing.files().stream().map(f -> new Listed(f.fileId(), f.name(), f.size(), f.updatedAt(),
                            base + "/files/" + f.fileId(),
                            f.thumbnailChunk().isPresent() ? base + "/thumbnails/" + f.fileId() : null)).toList()));
        }
        return html(HttpStatus.OK, LinkPage.listing(opened.token(), listing, opened.link().expiresAt()));
    }

    /** The password form: right, a cookie for this link and back to its page; wrong, the form again. */
    @PublicEndpoint
    @PostMapping(path = "/s/{token}", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<?> unlock(@PathVariable String token, @RequestParam(defaultValue = "") String password,
                             HttpServletRequest request) {
        Optional<LinkAccess.Opened> opened = access.open(request, token);
        if (opened.isEmpty()) {
            access.refuseUnopened(token, Optional.of(password));
            throw LinkNotFoundException.publicLink();
        }
        LinkAccess.Opened link = opened.get();
        String page = "/s/" + link.token().value();
        if (!link.protectedByPassword()) {
            return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(page)).build();
        }
        if (!access.passwordMatches(link, password)) {
            return html(HttpStatus.FORBIDDEN, LinkPage.passwordForm(link.token(), true));
        }
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(page))
                .header(HttpHeaders.SET_COOKIE, LinkCookie.issue(link.link(), link.token(), Instant.now(), request.isSecure()).toString())
                .build();
    }

    /** The file's current version, as an attachment; the download stops where the link is revoked or expires. */
    @PublicEndpoint
    @GetMapping("/s/{token}/files/{fileId}")
    void download(@PathVariable String token, @PathVariable String fileId, HttpServletRequest request,
                  HttpServletResponse response) throws IOException {
        LinkAccess.Opened opened = requireUnlocked(request, token);
        SharedFile file = targets.file(opened.link(), fileId).orElseThrow(LinkNotFoundException::publicLink);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setContentLengthLong(file.size());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, AttachmentName.contentDisposition(file.name()));
        // A download cut short must end its connection: a client then sees fewer bytes than declared, and an end.
        response.setHeader(HttpHeaders.CONNECTION, "close");
        OutputStream out = response.getOutputStream();
        downloads.stream(opened.link(), file, out, () -> links.stillOpen(opened.link().id()));
        out.flush();
    }

    @PublicEndpoint
    @GetMapping("/s/{token}/thumbnails/{fileId}")
    ResponseEntity<byte[]> thumbnail(@PathVariable String token, @PathVariable String fileId, HttpServletRequest request)
            throws IOException {
        LinkAccess.Opened opened = requireUnlocked(request, token);
        String chunk = targets.file(opened.link(), fileId).flatMap(SharedFile::thumbnailChunk).filter(ChunkId::isValid)
                .orElseThrow(LinkNotFoundException::publicLink);
        Optional<InputStream> stored = blobs.open(new ChunkId(chunk));
        if (stored.isEmpty()) {
            throw LinkNotFoundException.publicLink();
        }
        try (InputStream in = stored.get()) {
            return ResponseEntity.ok().contentType(MediaType.IMAGE_JPEG).body(in.readAllBytes());
        }
    }

    private LinkAccess.Opened require(HttpServletRequest request, String token) {
        Optional<LinkAccess.Opened> opened = access.open(request, token);
        if (opened.isEmpty()) {
            access.refuseUnopened(token, Optional.ofNullable(request.getHeader(LinkAccess.PASSWORD_HEADER)));
            throw LinkNotFoundException.publicLink();
        }
        return opened.get();
    }

    /** A link that opens and whose password, if it has one, the request proves; else the one 404. */
    private LinkAccess.Opened requireUnlocked(HttpServletRequest request, String token) {
        LinkAccess.Opened opened = require(request, token);
        if (!access.unlocked(request, opened)) {
            throw LinkNotFoundException.publicLink();
        }
        return opened;
    }

    /** The refusals of this surface, as a page for a browser and as a problem for a JSON client. */
    @ExceptionHandler({LinkNotFoundException.class, LinkPasswordRequiredException.class, TooManyRequestsException.class})
    ResponseEntity<?> refused(ProblemException e, HttpServletRequest request) {
        if (wantsJson(request)) {
            ProblemDetail body = e.toProblemDetail();
            body.setInstance(SURFACE); // not the address asked: every refusal here has one body, whatever was asked
            return ResponseEntity.status(e.status()).headers(e.headers()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
        }
        String page = e instanceof TooManyRequestsException tooMany ? LinkPage.tooManyRequests(tooMany.retryAfterSeconds())
                : LinkPage.notFound(); // a browser is never refused for a password: it gets the form
        return ResponseEntity.status(e.status()).headers(e.headers()).contentType(HTML).body(LinkPage.utf8(page));
    }

    private static ResponseEntity<byte[]> html(HttpStatusCode status, String page) {
        return ResponseEntity.status(status).contentType(HTML).body(LinkPage.utf8(page));
    }

    /** A client that asks for JSON (or a problem) and not for HTML: everything else is a browser. */
    static boolean wantsJson(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return (a.contains("application/json") || a.contains("+json")) && !a.contains("text/html");
    }
}
