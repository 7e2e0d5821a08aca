package io.cumulus.ingest.photos;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.changes.IdempotencyKey;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * The albums of the caller's home namespace. Every change is checked first (the album is the
 * caller's and live, the photos are the caller's, names and lists within their limits), then
 * published as an {@link AlbumEvent}; the answer waits for the album projection to apply it and
 * shows the album as it then is, or is a {@code 202} when the projection is not there within the
 * wait. Nothing is published for a refused request.
 *
 * <p>{@code POST /v1/albums} with an {@code Idempotency-Key} names the album after the key (and the
 * account): a retry finds the album the first request made, or publishes the same creation again,
 * which the projection recognises; either way there is one album.
 */
@RestController
public class AlbumController {
    static final BodyLimit LIMIT = BodyLimit.ofMiB(1);

    private final PhotoLibrary library;
    private final Albums albums;
    private final AlbumEvents events;
    private final AlbumEventPublisher publisher;
    private final ProjectionWait projection;
    private final JsonBody json;

    record AlbumSummary(UUID albumId, String name, long count, String coverFileId, Instant createdAt, Instant updatedAt) {
        static AlbumSummary of(Albums.Album a) {
            return new AlbumSummary(a.albumId(), a.name(), a.count(), a.coverFileId(), a.createdAt(), a.updatedAt());
        }
    }

    record AlbumList(List<AlbumSummary> albums) {
    }

    record AlbumDetail(UUID albumId, String name, long count, String coverFileId, Instant createdAt, Instant updatedAt,
                       List<PhotoView> photos) {
    }

    AlbumController(PhotoLibrary library, Albums albums, AlbumEvents events, AlbumEventPublisher publisher,
                    ProjectionWait projection, JsonBody json) {
        this.library = library;
        this.albums = albums;
        this.events = events;
        this.publisher = publisher;
        this.projection = projection;
        this.json = json;
    }

    @GetMapping("/v1/albums")
    AlbumList list(DeviceSession session) {
        return new AlbumList(albums.list(library.homeNamespace(session.accountId())).stream().map(AlbumSummary::of).toList());
    }

    @GetMapping("/v1/albums/{albumId}")
    AlbumDetail show(DeviceSession session, @PathVariable String albumId) {
        UUID namespace = library.homeNamespace(session.accountId());
        return detail(namespace, requireAlbum(namespace, albumId));
    }

    @PostMapping("/v1/albums")
    ResponseEntity<?> create(DeviceSession session, HttpServletRequest request,
                             @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        UUID namespace = library.homeNamespace(session.accountId());
        String name = AlbumRequests.name(json.readTree(request, LIMIT));
        UUID albumId = idempotencyKey == null ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("album:" + session.accountId() + ":" + new IdempotencyKey(idempotencyKey).value())
                .getBytes(StandardCharsets.UTF_8));
        Optional<Albums.Album> made = albums.album(namespace, albumId);
        if (made.isPresent()) {
            return created(detail(namespace, made.get()));
        }
        AlbumEvent event = events.of(session, namespace, AlbumEventKind.CREATED, albumId).setName(name).build();
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().location(location(albumId)).body(Accepted.of(albumId, event.getEventId()));
        }
        return created(detail(namespace, requireAlbum(namespace, albumId.toString())));
    }

    @PatchMapping("/v1/albums/{albumId}")
    ResponseEntity<?> rename(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        UUID namespace = library.homeNamespace(session.accountId());
        Albums.Album album = requireAlbum(namespace, albumId);
        String name = AlbumRequests.name(json.readTree(request, LIMIT));
        return publishThenShow(namespace, album.albumId(),
                events.of(session, namespace, AlbumEventKind.RENAMED, album.albumId()).setName(name).build());
    }

    @DeleteMapping("/v1/albums/{albumId}")
    ResponseEntity<?> delete(DeviceSession session, @PathVariable String albumId) {
        UUID namespace = library.homeNamespace(session.accountId());
        Albums.Album album = requireAlbum(namespace, albumId);
        AlbumEvent event = events.of(session, namespace, AlbumEventKind.DELETED, album.albumId()).build();
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().body(Accepted.of(album.albumId(), event.getEventId()));
        }
        return ResponseEntity.noContent().build();
    }

    /** Adds photos of the library ({@code fileIds}) at the end, or before the album photo {@code before}. */
    @PostMapping("/v1/albums/{albumId}/photos")
    ResponseEntity<?> add(DeviceSession session, @PathVariable String albumId, HttpServletRequest request,
                          @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (idempotencyKey != null) {
            new IdempotencyKey(idempotencyKey); // checked for its syntax; adding the same photos again changes nothing
        }
        UUID namespace = library.homeNamespace(session.accountId());
        Albums.Album album = requireAlbum(namespace, albumId);
        JsonNode body = json.readTree(request, LIMIT);
        List<String> fileIds = AlbumRequests.fileIds(body);
        Optional<String> before = AlbumRequests.before(body);
        requirePhotos(namespace, fileIds);
        List<String> current = albums.fileIds(namespace, album.albumId());
        if (before.isPresent() && !current.contains(before.get())) {
            throw new InvalidRequestException("invalid-before", "Invalid before", "before must be the file id of a photo of the album, "
                    + before.get() + " is not in it");
        }
        Set<String> after = new HashSet<>(current);
        after.addAll(fileIds);
        if (after.size() > AlbumRequests.MAX_ALBUM_SIZE) {
            throw new InvalidRequestException("album-full", "Album full", "an album holds at most " + AlbumRequests.MAX_ALBUM_SIZE
                    + " photos");
        }
        return publishThenShow(namespace, album.albumId(), events.of(session, namespace, AlbumEventKind.PHOTOS_ADDED, album.albumId())
                .setFileIds(fileIds).setBeforeFileId(before.orElse(null)).build());
    }

    /** Takes photos out of the album (the photos stay in the library). */
    @DeleteMapping("/v1/albums/{albumId}/photos")
    ResponseEntity<?> remove(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        UUID namespace = library.homeNamespace(session.accountId());
        Albums.Album album = requireAlbum(namespace, albumId);
        List<String> fileIds = AlbumRequests.fileIds(json.readTree(request, LIMIT));
        Set<String> current = new HashSet<>(albums.fileIds(namespace, album.albumId()));
        List<String> absent = fileIds.stream().filter(id -> !current.contains(id)).toList();
        if (!absent.isEmpty()) {
            throw new PhotoNotFoundException(absent);
        }
        return publishThenShow(namespace, album.albumId(),
                events.of(session, namespace, AlbumEventKind.PHOTOS_REMOVED, album.albumId()).setFileIds(fileIds).build());
    }

    /** Sets the album's order: {@code fileIds} names every photo the album shows, once, in the new order. */
    @PutMapping("/v1/albums/{albumId}/order")
    ResponseEntity<?> reorder(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        UUID namespace = library.homeNamespace(session.accountId());
        Albums.Album album = requireAlbum(namespace, albumId);
        List<String> order = AlbumRequests.fileIds(json.readTree(request, LIMIT));
        Set<String> shown = new HashSet<>(albums.photos(namespace, album.albumId()).stream().map(Photo::fileId).toList());
        if (!shown.equals(new HashSet<>(order))) {
            throw new InvalidRequestException("order-mismatch", "Order does not match the album",
                    "fileIds must name every photo of the album exactly once (" + shown.size() + " photos), and no other");
        }
        return publishThenShow(namespace, album.albumId(),
                events.of(session, namespace, AlbumEventKind.REORDERED, album.albumId()).setFileIds(order).build());
    }

    private ResponseEntity<?> publishThenShow(UUID namespace, UUID albumId, AlbumEvent event) {
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().body(Accepted.of(albumId, event.getEventId()));
        }
        return ResponseEntity.ok(detail(namespace, requireAlbum(namespace, albumId.toString())));
    }

    private AlbumDetail detail(UUID namespace, Albums.Album a) {
        return new AlbumDetail(a.albumId(), a.name(), a.count(), a.coverFileId(), a.createdAt(), a.updatedAt(),
                albums.photos(namespace, a.albumId()).stream().map(PhotoView::of).toList());
    }

    private ResponseEntity<AlbumDetail> created(AlbumDetail album) {
        return ResponseEntity.status(HttpStatus.CREATED).location(location(album.albumId())).body(album);
    }

    private static URI location(UUID albumId) {
        return URI.create("/v1/albums/" + albumId);
    }

    private Albums.Album requireAlbum(UUID namespace, String albumId) {
        UUID id;
        try {
            id = UUID.fromString(albumId);
        } catch (IllegalArgumentException e) {
            throw new AlbumNotFoundException(albumId);
        }
        return albums.album(namespace, id).orElseThrow(() -> new AlbumNotFoundException(albumId));
    }

    private void requirePhotos(UUID namespace, List<String> fileIds) {
        Set<String> existing = library.existing(namespace, fileIds);
        List<String> unknown = fileIds.stream().filter(id -> !existing.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new PhotoNotFoundException(unknown);
        }
    }
}
