package io.cumulus.ingest.links;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A file as a link shows it: its id, its name as seen from the link (a folder link shows paths below
 * its folder, never above it), its current version's size and chunks, and the chunk of its thumbnail
 * when it is a photo the photo library has one for.
 */
record SharedFile(String fileId, String name, long size, Instant updatedAt, List<Chunk> chunks, Optional<String> thumbnailChunk) {

    /** One chunk of the current version, in order. */
    record Chunk(String id, long size) {
    }
}
