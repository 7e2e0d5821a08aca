package io.cumulus.standalone.rebuild;

import java.util.List;

/**
 * A derived store that can be rebuilt from the topics, under its command-line name
 * ({@code readmodel}, {@code chunk-refs}, {@code photos}, {@code sync-state}, {@code reconciler}).
 * An implementation knows where the store lives and which module writer fills it; it holds no state
 * of a rebuild itself: that is the {@link Generation} it creates.
 *
 * <p>Implementations must be safe to call from the job thread of {@link Rebuilds} and from request
 * threads ({@link #digest()}, {@link #liveGeneration()}) at once.
 */
public interface Projection {

    /** The command-line name: lower case, words joined by '-'. */
    String name();

    /** One line for people: what the store is and where it lives ("the read model, schema readmodel"). */
    String description();

    /**
     * The topics the store is built from, every partition from offset 0. {@link Rebuilds} reads them
     * with one consumer (read_committed, no consumer group) and hands every poll to
     * {@link Generation#apply}.
     */
    List<String> topics();

    /** The number of the generation the API reads now: 1 for a store never rebuilt. */
    int liveGeneration() throws Exception;

    /**
     * Creates an empty new generation, numbered {@code liveGeneration() + 1}, beside the live one
     * (whatever a crashed rebuild left under that name is dropped first). Nothing reads or writes it
     * but the returned handle until {@link Generation#switchOver}.
     */
    Generation newGeneration() throws Exception;

    /**
     * Drops whatever rebuilds of this store that never finished left behind (a crash or a restart in the
     * middle): new generations never switched to, retired ones never dropped. Called when the server
     * starts, under the projection's {@link RebuildLock}, so never while a rebuild of it runs anywhere.
     * Nothing by default.
     */
    default void dropLeftovers() throws Exception {
    }

    /**
     * A SHA-256 per table (or store) of the LIVE generation over its rows in a canonical order,
     * leaving out what is bookkeeping rather than content (consumer positions, migration history).
     * Two generations built from the same records have equal digests; tests use it to prove that a
     * rebuilt store equals the one it replaced.
     */
    Digest digest() throws Exception;
}
