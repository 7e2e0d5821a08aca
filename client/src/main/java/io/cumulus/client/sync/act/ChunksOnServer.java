package io.cumulus.client.sync.act;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;

/**
 * The chunks this device need not ask the server about before sending a change: those its own
 * synced files reference, which the server accepted in a version it keeps (a live file's chunks are
 * never collected). A copy, a move or a revert of files already synced then costs no
 * {@code POST /v1/chunks/missing} at all.
 *
 * <p>The belief can be wrong (another device deleted the file and the chunk aged out before this
 * device pulled the deletion): the server then refuses the batch as {@code chunk-missing}, and the
 * client asks about every chunk of the refused changes ({@link #none()}), uploads what is missing and
 * sends them again in the same round.
 */
public final class ChunksOnServer implements Predicate<ChunkId> {
    private static final ChunksOnServer NONE = new ChunksOnServer(Set.of());

    private final Set<ChunkId> known;

    private ChunksOnServer(Set<ChunkId> known) {
        this.known = known;
    }

    /** Every chunk the synced files reference. */
    public static ChunksOnServer referencedBy(Collection<SyncedFile> synced) {
        Set<ChunkId> known = new HashSet<>();
        for (SyncedFile f : synced) {
            for (ChunkRef r : f.manifest().chunks()) {
                known.add(r.id());
            }
        }
        return new ChunksOnServer(known);
    }

    /** Nothing known: every chunk is asked about. */
    public static ChunksOnServer none() {
        return NONE;
    }

    /** Whether the server surely has this chunk for this device's account. */
    @Override
    public boolean test(ChunkId id) {
        return known.contains(id);
    }
}
