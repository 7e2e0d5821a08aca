package io.cumulus.ingest.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.cumulus.ingest.changes.FileChange.ChunkRef;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.reads.ReadModel.Version;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.JsonNode;

/**
 * OURS and the common ANCESTOR of a conflicted copy, chosen from the original file's history: OURS
 * is the version the reconciler kept when it made the copy (the newest event of the original before
 * the copy's), the ANCESTOR the newest version the copy's device had seen (whose vector the copy's
 * vector dominates or equals). Pure, so it is tested on histories written by hand.
 */
public final class MergeVersions {

    /** The versions to merge, or why there are none. */
    public sealed interface Choice permits Found, NoMerge {
    }

    /** The original's version the copy conflicted with, and the newest version both sides descend from. */
    public record Found(Version ours, Version ancestor) implements Choice {
    }

    /** Why a copy cannot be merged, for the log. */
    public record NoMerge(String reason) implements Choice {
    }

    /**
     * The versions to merge the copy with.
     *
     * @param originalHistory the original's events, newest first, as {@code ReadModel.history} lists them
     */
    public static Choice choose(List<Version> originalHistory, ConflictedCopy copy) {
        List<Version> before = originalHistory.stream().filter(v -> v.seq() < copy.seq()).toList();
        if (before.isEmpty()) {
            return new NoMerge("the original has no version before the copy");
        }
        Version ours = before.getFirst();
        if (!ours.op().equals("UPSERT")) {
            return new NoMerge("the original was deleted");
        }
        Optional<Version> ancestor = before.stream()
                .filter(v -> v.op().equals("UPSERT"))
                .filter(v -> {
                    Causality c = vectorOf(v.vector()).compare(copy.vector());
                    return c == Causality.DOMINATED || c == Causality.EQUAL;
                })
                .findFirst();
        if (ancestor.isEmpty()) {
            return new NoMerge("no common ancestor");
        }
        return new Found(ours, ancestor.get());
    }

    /** A vector as the read model stores it: {@code {"<deviceId>": counter}}. */
    static VersionVector vectorOf(JsonNode json) {
        Map<String, Long> entries = new TreeMap<>();
        if (json != null) {
            for (Map.Entry<String, JsonNode> e : json.properties()) {
                entries.put(e.getKey(), e.getValue().asLong());
            }
        }
        return VersionVector.of(entries);
    }

    private MergeVersions() {
    }

    /** A manifest as the read model stores it: {@code [{"id": "<sha256>", "size": n}]}. */
    static List<ChunkRef> chunksOf(JsonNode json) {
        List<ChunkRef> chunks = new ArrayList<>();
        if (json != null) {
            for (JsonNode c : json) {
                chunks.add(new ChunkRef(new ChunkId(c.get("id").asString()), c.get("size").asLong()));
            }
        }
        return chunks;
    }
}
