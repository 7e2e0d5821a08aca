package io.cumulus.client.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/** What the server says, as the client reads it. */
public final class Remote {
    private Remote() {
    }

    public record Registered(UUID deviceId, String token, UUID accountId, UUID homeNamespace) {
    }

    public record Device(String deviceId, String name, String createdAt, boolean revoked) {
    }

    /** One change the client proposes. */
    public record Change(String fileId, String path, boolean delete, VersionVector vector, Manifest manifest) {
    }

    /** One event of a namespace's change feed. */
    public record Event(long seq, String fileId, String path, boolean delete, VersionVector vector, Manifest manifest,
                        String deviceId, Optional<String> conflictOf, boolean mergePending, Optional<String> malformed) {
    }

    /**
     * A page of the change feed. {@code lastSeq}: where the next page starts (past the events the
     * server left out as this device's own); {@code read}: how many events the page covered, those
     * left out included, so a page is full when it reached the limit asked for.
     */
    public record Feed(List<Event> events, long lastSeq, int read) {
        public Feed(List<Event> events, long lastSeq) {
            this(events, lastSeq, events.size());
        }
    }

    public enum Kind { APPLIED, DUPLICATE, STALE, CONFLICT }

    public record Outcome(int changeIndex, String fileId, String path, Kind kind, Optional<Long> seq,
                          Optional<String> conflictFileId, Optional<String> conflictPath, VersionVector currentVector) {
    }

    public record Batch(boolean done, List<Outcome> outcomes) {
    }

    /**
     * A file's current state on the server. {@code mergePending}: a conflicted copy the server is
     * still merging into its original, which a device does not materialise.
     */
    public record FileState(String fileId, String path, boolean deleted, VersionVector vector, Manifest manifest, long seq,
                            boolean mergePending, Optional<String> malformed) {
    }

    /** One event of a file's history; {@code seq} is the version number restore takes. */
    public record Version(long seq, String path, boolean delete, long size, String device, String at) {
    }

    public record TrashEntry(String fileId, String path, long size, long version, String deletedAt) {
    }

    /** An unresolved conflict: a copy the server kept beside an original (which may have been deleted since). */
    public record Conflict(long seq, ConflictSide copy, ConflictSide original) {
    }

    /** One side of a conflict, with the device that wrote its current version (or deleted it) and when. */
    public record ConflictSide(String fileId, String path, boolean deleted, String deviceId, String device, String at) {
    }

    static VersionVector vector(Map<String, Long> entries) {
        return entries.isEmpty() ? VersionVector.empty() : VersionVector.of(entries);
    }
}
