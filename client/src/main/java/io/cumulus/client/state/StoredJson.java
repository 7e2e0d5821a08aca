package io.cumulus.client.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/**
 * Reads back the two JSON shapes {@link LocalState} writes for every file, a version vector
 * ({@code {"device":3,...}}) and a manifest ({@code [{"id":"hex","size":n},...]}), without a JSON
 * tree: a folder of 100,000 files is read whole at every sync round and by {@code status}, where
 * a general parser's trees cost more time and garbage than the values themselves. Anything not in
 * exactly the written shape (escapes, spaces, other keys) answers null, and the caller falls back
 * to the general parser.
 */
final class StoredJson {
    private StoredJson() {
    }

    /** The vector, or null when {@code json} is not in the shape written. */
    static VersionVector vector(String json) {
        int n = json.length();
        if (n < 2 || json.charAt(0) != '{' || json.charAt(n - 1) != '}') {
            return null;
        }
        if (n == 2) {
            return VersionVector.empty();
        }
        Map<String, Long> entries = new TreeMap<>();
        int i = 1;
        while (true) {
            if (json.charAt(i) != '"') {
                return null;
            }
            int close = plainStringEnd(json, i + 1);
            if (close < 0 || close + 1 >= n || json.charAt(close + 1) != ':') {
                return null;
            }
            String device = json.substring(i + 1, close);
            int end = numberEnd(json, close + 2);
            if (end < 0) {
                return null;
            }
            entries.put(device, Long.parseLong(json, close + 2, end, 10));
            if (json.charAt(end) == '}') {
                return end == n - 1 ? VersionVector.of(entries) : null;
            }
            if (json.charAt(end) != ',') {
                return null;
            }
            i = end + 1;
        }
    }

    /** The manifest, or null when {@code json} is not in the shape written. */
    static Manifest manifest(String json) {
        int n = json.length();
        if (n < 2 || json.charAt(0) != '[' || json.charAt(n - 1) != ']') {
            return null;
        }
        List<ChunkRef> refs = new ArrayList<>();
        int i = 1;
        if (n == 2) {
            return new Manifest(refs);
        }
        while (true) {
            if (!json.startsWith("{\"id\":\"", i)) {
                return null;
            }
            int idStart = i + 7;
            int idEnd = plainStringEnd(json, idStart);
            if (idEnd < 0 || !json.startsWith(",\"size\":", idEnd + 1)) {
                return null;
            }
            int sizeStart = idEnd + 9;
            int sizeEnd = numberEnd(json, sizeStart);
            if (sizeEnd < 0 || json.charAt(sizeEnd) != '}' || sizeEnd + 1 >= n) {
                return null;
            }
            refs.add(ChunkRef.of(json.substring(idStart, idEnd), Long.parseLong(json, sizeStart, sizeEnd, 10)));
            char after = json.charAt(sizeEnd + 1);
            if (after == ']') {
                return sizeEnd + 2 == n ? new Manifest(refs) : null;
            }
            if (after != ',') {
                return null;
            }
            i = sizeEnd + 2;
        }
    }

    /** The index of the quote closing a string that starts at {@code from} and has no escapes, or -1. */
    private static int plainStringEnd(String json, int from) {
        for (int i = from; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' || c < 0x20) {
                return -1;
            }
        }
        return -1;
    }

    /** The index just after a non-negative integer of at most 18 digits starting at {@code from}, or -1. */
    private static int numberEnd(String json, int from) {
        int i = from;
        while (i < json.length() && json.charAt(i) >= '0' && json.charAt(i) <= '9') {
            i++;
        }
        return i == from || i - from > 18 || i >= json.length() ? -1 : i;
    }
}
