package io.cumulus.ingest.photos;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

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
import io.cumulus.schemas.AlbumPhotoRef;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * The albums of the caller's library and those shared with it (docs/decisions/0032). Every change is
 * checked first (the album is one the caller may change that way, the photos are the caller's, names
 * and lists within their limits), then published as an {@link AlbumEvent} keyed by the album's
 * namespace (its owner's library, so every change to one album keeps its order, whoever makes it);
 * the answer waits for the album projection to apply it and shows the album as it then is, or is a
 * {@code 202} when the projection is not there within the wait. Nothing is published for a refused request.
 *
 * <p>Only the owner renames, deletes and orders an album; a member the album is shared with to
 * {@code contribute} adds photos of their own library and takes out their own; a {@code view} member
 * only reads. An album that is neither the caller's nor shared with it is not found.
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
    private final AlbumAccess access;
    private final AlbumEvents events;
    private final AlbumEventPublisher publisher;
    private final ProjectionWait projection;
    private final JsonBody json;

    /** {@code shared}: the album has members, or is another account's; {@code role}: the caller's (owner, view, contribute). */
    record AlbumSummary(UUID albumId, String name, long count, String coverFileId, UUID coverNamespaceId, Instant createdAt,
                        Instant updatedAt, boolean shared, String owner, String role) {
        static AlbumSummary of(Albums.Album a) {
            return new AlbumSummary(a.albumId(), a.name(), a.count(), a.coverFileId(), a.coverNamespace(), a.createdAt(),
                    a.updatedAt(), a.shared(), a.owner(), a.role());
        }
    }

    record AlbumList(List<AlbumSummary> albums) {
    }

    record AlbumDetail(UUID albumId, String name, long count, String coverFileId, UUID coverNamespaceId, Instant createdAt,
                       Instant updatedAt, boolean shared, String owner, String role, List<Albums.Member> members,
                       List<AlbumPhotoView> photos) {
    }

    AlbumController(PhotoLibrary library, Albums albums, AlbumAccess access, AlbumEvents events, AlbumEventPublisher publisher,
                    ProjectionWait projection, JsonBody json) {
        this.library = library;
        this.albums = albums;
        this.access = access;
        this.events = events;
        this.publisher = publisher;
        this.projection = projection;
        this.json = json;
    }

    @GetMapping("/v1/albums")
    AlbumList list(DeviceSession session) {
        return new AlbumList(albums.list(session.accountId(), library.homeNamespace(session.accountId())).stream()
                .map(AlbumSummary::of).toList());
    }

    @GetMapping("/v1/albums/{albumId}")
    AlbumDetail show(DeviceSession session, @PathVariable String albumId) {
        AlbumAccess.Access a = access.require(session, albumId);
        return detail(a.home(), a.album());
    }

    @PostMapping("/v1/albums")
    ResponseEntity<?> create(DeviceSession session, HttpServletRequest request,
                             @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        UUID namespace = library.homeNamespace(session.accountId());
        String name = AlbumRequests.name(json.readTree(request, LIMIT));
        UUID albumId = idempotencyKey == null ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("album:" + session.accountId() + ":" + new IdempotencyKey(idempotencyKey).value())
                .getBytes(StandardCharsets.UTF_8));
        Optional<Albums.Album> made = albums.album(session.accountId(), namespace, albumId).filter(Albums.Album::ownedByCaller);
        if (made.isPresent()) {
            return created(detail(namespace, made.get()));
        }
        AlbumEvent event = events.of(session, namespace, AlbumEventKind.CREATED, albumId).setName(name).build();
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().location(location(albumId)).body(Accepted.of(albumId, event.getEventId()));
        }
        return created(show(session, albumId.toString()));
    }

    @PatchMapping("/v1/albums/{albumId}")
    ResponseEntity<?> rename(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("renames it");
        String name = AlbumRequests.name(json.readTree(request, LIMIT));
        return publishThenShow(a, event(a, AlbumEventKind.RENAMED).setName(name).build());
    }

    @DeleteMapping("/v1/albums/{albumId}")
    ResponseEntity<?> delete(DeviceSession session, @PathVariable String albumId) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("deletes it");
        AlbumEvent event = event(a, AlbumEventKind.DELETED).build();
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().body(Accepted.of(a.album().albumId(), event.getEventId()));
        }
        return ResponseEntity.noContent().build();
    }

    /**
     * Adds photos of the caller's library ({@code fileIds}) at the end, or before the album photo
     * {@code before}. A contributor's photos stay theirs: the album refers to them in their library.
     */
    @PostMapping("/v1/albums/{albumId}/photos")
    ResponseEntity<?> add(DeviceSession session, @PathVariable String albumId, HttpServletRequest request,
                          @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (idempotencyKey != null) {
            new IdempotencyKey(idempotencyKey); // checked for its syntax; adding the same photos again changes nothing
        }
        AlbumAccess.Access a = access.require(session, albumId);
        if (!a.owner() && !"contribute".equals(a.album().role())) {
            throw new NotAlbumContributorException();
        }
        JsonNode body = json.readTree(request, LIMIT);
        List<PhotoKey> photos = AlbumRequests.photoKeys(body, a.home());
        Optional<PhotoKey> before = AlbumRequests.beforeKey(body, a.home());
        requireOwnPhotos(a.home(), photos);
        Set<PhotoKey> current = albums.entries(a.album()).stream().map(Albums.Entry::key).collect(Collectors.toSet());
        if (before.isPresent() && !current.contains(before.get())) {
            throw new InvalidRequestException("invalid-before", "Invalid before", "before must be the file id of a photo of the album, "
                    + before.get().fileId() + " is not in it");
        }
        Set<PhotoKey> after = new HashSet<>(current);
        after.addAll(photos);
        if (after.size() > AlbumRequests.MAX_ALBUM_SIZE) {
            throw new InvalidRequestException("album-full", "Album full", "an album holds at most " + AlbumRequests.MAX_ALBUM_SIZE
                    + " photos");
        }
        AlbumEvent.Builder event = naming(event(a, AlbumEventKind.PHOTOS_ADDED), photos, a.album().namespace());
        before.ifPresent(b -> {
            if (b.namespace().equals(a.album().namespace())) {
                event.setBeforeFileId(b.fileId());
            } else {
                event.setBeforePhoto(ref(b));
            }
        });
        return publishThenShow(a, event.build());
    }

    /** Takes photos out of the album (the photos stay in their libraries): the owner any, a member their own. */
    @DeleteMapping("/v1/albums/{albumId}/photos")
    ResponseEntity<?> remove(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        AlbumAccess.Access a = access.require(session, albumId);
        List<PhotoKey> photos = AlbumRequests.photoKeys(json.readTree(request, LIMIT), a.home());
        Map<PhotoKey, UUID> contributors = albums.entries(a.album()).stream()
                .collect(Collectors.toMap(Albums.Entry::key, Albums.Entry::contributorId));
        List<String> absent = photos.stream().filter(k -> !contributors.containsKey(k)).map(PhotoKey::fileId).toList();
        if (!absent.isEmpty()) {
            throw new PhotoNotFoundException(absent);
        }
        if (!a.owner() && photos.stream().anyMatch(k -> !contributors.get(k).equals(session.accountId()))) {
            throw new NotAlbumOwnerException("takes out photos other accounts put in");
        }
        return publishThenShow(a, naming(event(a, AlbumEventKind.PHOTOS_REMOVED), photos, a.album().namespace()).build());
    }

    /** Sets the album's order: {@code fileIds} names every photo the album shows, once, in the new order. */
    @PutMapping("/v1/albums/{albumId}/order")
    ResponseEntity<?> reorder(DeviceSession session, @PathVariable String albumId, HttpServletRequest request) {
        AlbumAccess.Access a = access.require(session, albumId).requireOwner("orders it");
        List<PhotoKey> order = AlbumRequests.photoKeys(json.readTree(request, LIMIT), a.home());
        Set<PhotoKey> shown = albums.photos(a.album(), a.home()).stream()
                .map(p -> new PhotoKey(p.namespace(), p.photo().fileId())).collect(Collectors.toSet());
        if (!shown.equals(new HashSet<>(order))) {
            throw new InvalidRequestException("order-mismatch", "Order does not match the album",
                    "fileIds must name every photo of the album exactly once (" + shown.size() + " photos), and no other");
        }
        return publishThenShow(a, naming(event(a, AlbumEventKind.REORDERED), order, a.album().namespace()).build());
    }

    private AlbumEvent.Builder event(AlbumAccess.Access a, AlbumEventKind kind) {
        return events.of(a.session(), a.album().namespace(), kind, a.album().albumId());
    }

    /** Names the photos as events before shared albums did ({@code fileIds}) when all are of the album's library. */
    private static AlbumEvent.Builder naming(AlbumEvent.Builder event, List<PhotoKey> photos, UUID albumNamespace) {
        if (photos.stream().allMatch(k -> k.namespace().equals(albumNamespace))) {
            return event.setFileIds(photos.stream().map(PhotoKey::fileId).toList());
        }
        return event.setPhotos(photos.stream().map(AlbumController::ref).toList());
    }

    private static AlbumPhotoRef ref(PhotoKey key) {
        return AlbumPhotoRef.newBuilder().setNamespaceId(key.namespace().toString()).setFileId(key.fileId()).build();
    }

    private ResponseEntity<?> publishThenShow(AlbumAccess.Access a, AlbumEvent event) {
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().body(Accepted.of(a.album().albumId(), event.getEventId()));
        }
        return ResponseEntity.ok(show(a.session(), a.album().albumId().toString()));
    }

    private AlbumDetail detail(UUID viewerHome, Albums.Album a) {
        return new AlbumDetail(a.albumId(), a.name(), a.count(), a.coverFileId(), a.coverNamespace(), a.createdAt(),
                a.updatedAt(), a.shared(), a.owner(), a.role(), albums.members(a),
                albums.photos(a, viewerHome).stream().map(p -> AlbumPhotoView.of(p, a.albumId(), viewerHome)).toList());
    }

    private ResponseEntity<AlbumDetail> created(AlbumDetail album) {
        return ResponseEntity.status(HttpStatus.CREATED).location(location(album.albumId())).body(album);
    }

    private static URI location(UUID albumId) {
        return URI.create("/v1/albums/" + albumId);
    }

    /** Photos go into albums only from the caller's own library: any other is not found, as an unknown one. */
    private void requireOwnPhotos(UUID home, List<PhotoKey> photos) {
        List<String> ids = photos.stream().filter(k -> k.namespace().equals(home)).map(PhotoKey::fileId).toList();
        Set<String> existing = library.existing(home, ids);
        List<String> unknown = photos.stream().filter(k -> !k.namespace().equals(home) || !existing.contains(k.fileId()))
                .map(PhotoKey::fileId).toList();
        if (!unknown.isEmpty()) {
            throw new PhotoNotFoundException(unknown);
        }
    }
}
