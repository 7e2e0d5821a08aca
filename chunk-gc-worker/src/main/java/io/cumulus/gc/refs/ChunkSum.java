package io.cumulus.gc.refs;

import java.util.Objects;

import io.cumulus.sync.manifest.ChunkId;

/**
 * The deltas of one chunk in one poll, added up: the change of its count (zero when a reference came
 * and went within the poll) and the latest event time among them.
 */
public record ChunkSum(ChunkId chunkId, long delta, long latestAtMillis) {

    public ChunkSum {
        Objects.requireNonNull(chunkId, "chunkId");
    }

    ChunkSum plus(RefDelta d) {
        return new ChunkSum(chunkId, delta + d.delta(), Math.max(latestAtMillis, d.atMillis()));
    }
}
