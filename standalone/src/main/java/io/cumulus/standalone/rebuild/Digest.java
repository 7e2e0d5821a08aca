package io.cumulus.standalone.rebuild;

import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a store as one SHA-256 (hex) per table, or per store of a non-relational projection,
 * by name. Equal digests mean equal content: {@link Projection#digest()} hashes the rows in a canonical
 * order (see {@link TableDigests}).
 */
public record Digest(Map<String, String> tables) {
    public Digest {
        tables = java.util.Collections.unmodifiableMap(new TreeMap<>(tables));
    }
}
