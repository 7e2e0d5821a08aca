package io.cumulus.client.sync.evict;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.Evicted;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.act.FolderAccess;

/**
 * Evicts originals and keeps placeholders true, touching the folder only through
 * {@link FolderAccess}. Runs between sync rounds (never while a round downloads), or after a fetch.
 *
 * <h2>One file's eviction</h2>
 * The placeholder is written (temporary file, renamed into place), the eviction recorded, then the
 * original deleted, only if it is still as synced. A crash in between leaves both; the next
 * {@link #reconcile} keeps the original (it is sent as an edit if it changed) and removes the
 * placeholder.
 *
 * <h2>What reconcile settles</h2>
 * <ul>
 *   <li>An original back in its place (a crash, or a file the user made at that name): it wins, the
 *       eviction is forgotten and the placeholder removed.</li>
 *   <li>A placeholder whose bytes are not what the state says (edited, garbage, hostile JSON):
 *       rewritten from the state.</li>
 *   <li>A placeholder renamed: renames of placeholders are not synced; it goes back to its name.</li>
 *   <li>A readable placeholder of a file not evicted here: it stands for nothing and is removed.
 *       An unreadable one that no evicted file owns is left alone and shown by {@code status}.</li>
 * </ul>
 * A placeholder that is simply gone is left to the push, which sends the file's deletion.
 */
public final class Evictor {
    /**
     * A file fetched or opened this recently is not evicted, even over the limit: the round that a
     * fetch's own write sets off would otherwise evict it again when nothing else is left to go.
     */
    public static final java.time.Duration RECENT_USE = java.time.Duration.ofHours(1);

    private final FolderAccess folder;
    private final LocalState state;
    private final Consumer<String> log;
    private final Clock clock;

    /** What one eviction did. */
    public record Done(List<String> evicted, long bytesBefore, long bytesAfter, boolean fits) {
    }

    public Evictor(FolderAccess folder, LocalState state, Consumer<String> log, Clock clock) {
        this.folder = folder;
        this.state = state;
        this.log = log;
        this.clock = clock;
    }

    /** Whether there is anything to reconcile or evict: a limit set, or files evicted. */
    public static boolean enabled(LocalState state) {
        return StorageLimit.of(state).isPresent() || !state.evicted().isEmpty();
    }

    /** Settles placeholders and originals against the state (see the class comment). */
    public void reconcile() throws IOException {
        state.forgetEvictionsWithoutFile();
        Scan scan = FolderScanner.scan(folder.root());
        Map<String, Evicted> evicted = state.evicted();
        // Readable placeholders not at an evicted file's place, by the file id they name: renamed, left by a crash, or stale.
        Map<String, String> strayById = new HashMap<>();
        Set<String> ownPlace = new HashSet<>(); // those of them that name their own place
        for (String p : scan.placeholders()) {
            String original = Placeholder.originalOf(p).orElseThrow();
            if (evicted.containsKey(original)) {
                continue;
            }
            read(p).ifPresent(ph -> {
                strayById.putIfAbsent(ph.fileId(), p);
                if (ph.path().equals(original)) {
                    ownPlace.add(p);
                }
            });
        }
        for (Evicted e : evicted.values()) {
            SyncedFile f = e.file();
            String at = Placeholder.pathFor(f.path());
            if (scan.files().containsKey(f.path())) {
                state.materialised(f.fileId());
                folder.deletePlaceholder(f.path());
                log.accept("original back in place: " + f.path() + " (its placeholder removed)");
                continue;
            }
            byte[] expected = Placeholder.of(f, e.since()).encode();
            if (scan.placeholders().contains(at)) {
                Optional<byte[]> now = folder.readPlaceholder(at);
                if (now.isEmpty() || !Arrays.equals(now.get(), expected)) {
                    folder.writePlaceholder(f.path(), expected);
                    log.accept("rewrote the placeholder of " + f.path() + " (it was changed here)");
                }
                continue;
            }
            String renamed = strayById.remove(f.fileId());
            if (renamed != null) {
                folder.writePlaceholder(f.path(), expected);
                folder.deletePlaceholderAt(renamed);
                log.accept("renamed placeholders are not synced: " + renamed + " is back at " + at);
            }
        }
        for (String p : strayById.values()) {
            if (ownPlace.contains(p)) {
                folder.deletePlaceholderAt(p);
                log.accept("removed " + p + ": it stands for no file evicted here");
            }
        }
    }

    /** The placeholders found in {@code scan} that stand for no evicted file and cannot be read: {@code status} shows them. */
    public static List<String> unreadable(Scan scan, Map<String, Evicted> evicted) {
        List<String> unreadable = new ArrayList<>();
        for (String p : scan.placeholders()) {
            if (!evicted.containsKey(Placeholder.originalOf(p).orElseThrow())) {
                unreadable.add(p);
            }
        }
        return unreadable;
    }

    /**
     * Evicts least recently used originals until those on disk fit {@code limit}, except the files
     * of {@code keep} (just fetched) and those fetched or opened within {@link #RECENT_USE}. Nothing
     * is evicted while a batch waits for the server's answer.
     */
    public Done evict(StorageLimit limit, Set<String> keep) throws IOException {
        if (!state.pending().isEmpty()) {
            return new Done(List.of(), 0, 0, false); // an upload not yet acknowledged: the next round decides
        }
        Scan scan = FolderScanner.scan(folder.root());
        Map<String, SyncedFile> synced = state.files();
        Set<String> held = new HashSet<>(keep);
        held.addAll(state.deferred());
        held.addAll(state.awaitingMerge().keySet());
        held.addAll(state.awaitingMerge().values());
        state.evicted().values().forEach(e -> held.add(e.file().fileId()));
        Map<String, Instant> lastUsed = state.lastUsed();
        Instant recent = clock.instant().minus(RECENT_USE);
        lastUsed.forEach((id, at) -> {
            if (at.isAfter(recent)) {
                held.add(id);
            }
        });
        for (LocalState.Skipped s : state.skipped()) {
            if (s.side().equals("remote")) {
                held.add(s.id());
            } else if (synced.containsKey(s.path())) {
                held.add(synced.get(s.path()).fileId());
            }
        }
        EvictionPlanner.Plan plan = EvictionPlanner.plan(scan.files(), synced, held, lastUsed, limit.bytes());
        List<String> done = new ArrayList<>();
        long after = plan.bytesBefore();
        for (SyncedFile f : plan.evict()) {
            if (evictOne(f)) {
                done.add(f.path());
                after -= f.size();
            }
        }
        return new Done(done, plan.bytesBefore(), after, after <= limit.bytes());
    }

    private boolean evictOne(SyncedFile f) {
        Instant now = clock.instant();
        try {
            folder.writePlaceholder(f.path(), Placeholder.of(f, now).encode());
        } catch (IOException e) {
            log.accept("not evicted " + f.path() + ": its placeholder cannot be written (" + e.getMessage() + ")");
            return false;
        }
        state.evicted(f.fileId(), now);
        try {
            if (!folder.deleteFile(f.path(), io.cumulus.client.scan.LocalTree.Entry.file(f.path(), f.size(), f.mtimeNanos(), f.inode()))) {
                throw new FolderAccess.Refused(f.path() + " is not there any more");
            }
        } catch (IOException e) {
            // Changed (or gone) since the scan: the original, if any, stays and is synced as any edit.
            state.materialised(f.fileId());
            try {
                folder.deletePlaceholder(f.path());
            } catch (IOException again) {
                // the next reconcile removes it: it stands for no evicted file
            }
            log.accept("not evicted " + f.path() + ": " + e.getMessage());
            return false;
        }
        log.accept("evicted " + f.path() + " (" + f.size() + " bytes; `cumulus fetch` brings it back)");
        return true;
    }

    /** The placeholder at a path, read wherever it stands for (see {@link Placeholder#decode(byte[])}). */
    private Optional<Placeholder> read(String placeholderPath) throws IOException {
        Optional<byte[]> bytes = folder.readPlaceholder(placeholderPath);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Placeholder.decode(bytes.get()));
        } catch (Placeholder.Unreadable e) {
            return Optional.empty();
        }
    }
}
