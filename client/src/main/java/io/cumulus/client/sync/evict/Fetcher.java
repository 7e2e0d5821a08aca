package io.cumulus.client.sync.evict;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.Progress;
import io.cumulus.client.sync.act.ChunkDeltas;
import io.cumulus.client.sync.act.FileWriter;
import io.cumulus.client.sync.act.FolderAccess;

/**
 * Brings evicted originals back: the version the state records (the one the placeholder stands
 * for), written as any download is (each chunk checked against its SHA-256, a temporary file
 * renamed into place, never over a file that appeared meanwhile); then the record takes the new
 * file's stat, the eviction is forgotten, and the placeholder goes. A crash in between leaves the
 * original and the placeholder, which the next reconcile settles (the original wins).
 */
public final class Fetcher {
    private final FolderAccess folder;
    private final LocalState state;
    private final ServerApi api;
    private final Retry retry;
    private final Consumer<String> log;
    private final Clock clock;

    public Fetcher(FolderAccess folder, LocalState state, ServerApi api, Retry retry, Consumer<String> log, Clock clock) {
        this.folder = folder;
        this.state = state;
        this.api = api;
        this.retry = retry;
        this.log = log;
        this.clock = clock;
    }

    /** Fetches the original of the evicted file {@code f}; its record as it is now. */
    public SyncedFile fetch(SyncedFile f) throws IOException {
        Map<String, SyncedFile> synced = state.files();
        FileWriter writer = new FileWriter(folder, api, retry, Progress.NONE, synced.values(), new ChunkDeltas(folder, api, synced));
        LocalTree.Entry written = writer.write(f.path(), f.manifest(), null);
        SyncedFile now = new SyncedFile(f.path(), f.fileId(), f.vector(), f.manifest(), written.size(), written.mtimeNanos(),
                written.inode(), f.seq());
        Instant at = clock.instant();
        state.atomically(() -> {
            state.put(now);
            state.materialised(f.fileId());
            state.used(f.fileId(), at);
        });
        folder.deletePlaceholder(f.path());
        log.accept("fetched " + f.path() + " (" + f.size() + " bytes)");
        return now;
    }
}
