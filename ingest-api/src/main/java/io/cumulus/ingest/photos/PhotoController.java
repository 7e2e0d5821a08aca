package io.cumulus.ingest.photos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.changes.InvalidFileIdException;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.schemas.AlbumEventKind;

/**
 * The photo library of the caller's home namespace: the timeline (newest first, cursor-paged), one
 * photo, its thumbnail and preview (immutable JPEGs named by their chunk id), counts by local day,
 * month and place, and marking favourites. A photo of another account is not found, as an unknown one.
 */
@RestController
public class PhotoController {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final PhotoLibrary library;
    private final PhotoDerivatives derivatives;
    private final AlbumEvents events;
    private final AlbumEventPublisher publisher;
    private final ProjectionWait projection;

    /** {@code nextCursor} is null on the last page. */
    record Timeline(List<PhotoView> photos, String nextCursor) {
    }

    record Days(List<PhotoGroups.Day> days) {
    }

    record Months(List<PhotoGroups.Month> months) {
    }

    /** One grid cell with photos: its bounds in degrees, how many photos, and the newest one. */
    record Place(double south, double west, double north, double east, long count, String coverFileId) {
    }

    record Places(int precision, double cellDegrees, List<Place> places) {
    }

    PhotoController(PhotoLibrary library, BlobStore blobs, AlbumEvents events, AlbumEventPublisher publisher,
                    ProjectionWait projection) {
        this.library = library;
        this.derivatives = new PhotoDerivatives(blobs);
        this.events = events;
        this.publisher = publisher;
        this.projection = projection;
    }

    @GetMapping("/v1/photos")
    Timeline timeline(DeviceSession session, @RequestParam(required = false) String before,
                      @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
                      @RequestParam(defaultValue = "false") boolean favourites) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("invalid-parameter", "Invalid query parameter",
                    "limit must be from 1 to " + MAX_LIMIT).with("parameter", "limit");
        }
        Optional<TimelineCursor> after = Optional.ofNullable(before).map(TimelineCursor::decode);
        UUID namespace = library.homeNamespace(session.accountId());
        List<Photo> page = library.timeline(namespace, after, limit + 1, favourites);
        String next = null;
        if (page.size() > limit) {
            page = page.subList(0, limit);
            Photo last = page.getLast();
            next = new TimelineCursor(last.takenAt(), last.fileId()).encode();
        }
        return new Timeline(page.stream().map(PhotoView::of).toList(), next);
    }

    @GetMapping("/v1/photos/days")
    Days days(DeviceSession session) {
        return new Days(library.groups(library.homeNamespace(session.accountId())).days());
    }

    @GetMapping("/v1/photos/months")
    Months months(DeviceSession session) {
        return new Months(library.groups(library.homeNamespace(session.accountId())).months());
    }

    /** The cells of a {@link PlaceGrid} that hold photos, most photos first; photos without a location are left out. */
    @GetMapping("/v1/photos/places")
    Places places(DeviceSession session, @RequestParam(defaultValue = "" + PlaceGrid.DEFAULT_PRECISION) int precision) {
        PlaceGrid grid = new PlaceGrid(precision);
        Map<PlaceGrid.Cell, long[]> counts = new LinkedHashMap<>();
        Map<PlaceGrid.Cell, String> covers = new LinkedHashMap<>();
        // Newest first: the first photo seen in a cell is its cover.
        library.located(library.homeNamespace(session.accountId()), photo -> {
            PlaceGrid.Cell cell = grid.cellOf(photo.latitude(), photo.longitude());
            counts.computeIfAbsent(cell, c -> new long[1])[0]++;
            covers.putIfAbsent(cell, photo.fileId());
        });
        List<Place> places = new ArrayList<>();
        counts.forEach((cell, count) -> places.add(new Place(cell.south().doubleValue(), cell.west().doubleValue(),
                cell.north().doubleValue(), cell.east().doubleValue(), count[0], covers.get(cell))));
        places.sort((a, b) -> Long.compare(b.count(), a.count()));
        return new Places(precision, grid.cellDegrees().doubleValue(), places);
    }

    @GetMapping("/v1/photos/{fileId}")
    PhotoView photo(DeviceSession session, @PathVariable String fileId) {
        return PhotoView.of(require(session, fileId));
    }

    @GetMapping("/v1/photos/{fileId}/thumbnail")
    ResponseEntity<byte[]> thumbnail(DeviceSession session, @PathVariable String fileId,
                                     @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) throws IOException {
        return derivative(session, fileId, Photo.Derivative.THUMBNAIL, ifNoneMatch);
    }

    @GetMapping("/v1/photos/{fileId}/preview")
    ResponseEntity<byte[]> preview(DeviceSession session, @PathVariable String fileId,
                                   @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) throws IOException {
        return derivative(session, fileId, Photo.Derivative.PREVIEW, ifNoneMatch);
    }

    private ResponseEntity<byte[]> derivative(DeviceSession session, String fileId, Photo.Derivative kind, String ifNoneMatch)
            throws IOException {
        return derivatives.serve(require(session, fileId), kind, ifNoneMatch);
    }

    @PutMapping("/v1/photos/{fileId}/favourite")
    ResponseEntity<?> favourite(DeviceSession session, @PathVariable String fileId) {
        return markFavourite(session, fileId, AlbumEventKind.FAVOURITED);
    }

    @DeleteMapping("/v1/photos/{fileId}/favourite")
    ResponseEntity<?> unfavourite(DeviceSession session, @PathVariable String fileId) {
        return markFavourite(session, fileId, AlbumEventKind.UNFAVOURITED);
    }

    /** Publishes the change, then answers with the photo as the projection has it, or 202 when it has not got there in time. */
    private ResponseEntity<?> markFavourite(DeviceSession session, String fileId, AlbumEventKind kind) {
        UUID namespace = library.homeNamespace(session.accountId());
        requireIn(namespace, fileId);
        var event = events.of(session, namespace, kind, null).setFileIds(List.of(fileId)).build();
        if (!projection.projected(publisher.publish(event))) {
            return ResponseEntity.accepted().body(Accepted.of(null, event.getEventId()));
        }
        return ResponseEntity.ok(PhotoView.of(requireIn(namespace, fileId)));
    }

    private Photo require(DeviceSession session, String fileId) {
        return requireIn(library.homeNamespace(session.accountId()), fileId);
    }

    private Photo requireIn(UUID namespace, String fileId) {
        InvalidFileIdException.requireValid(fileId);
        return library.photo(namespace, fileId).orElseThrow(() -> new PhotoNotFoundException(fileId));
    }
}
