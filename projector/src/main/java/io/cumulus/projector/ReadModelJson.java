package io.cumulus.projector;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.VersionEntry;

/**
 * The jsonb texts of the read model: a version vector as {@code {"<deviceId>": counter}} with keys in
 * sorted order, and a manifest as {@code [{"id": "<sha256>", "size": n}]} in chunk order. The same
 * event always gives the same text, so a replay writes identical rows.
 */
final class ReadModelJson {

    static String vector(List<VersionEntry> entries) {
        Map<String, Long> sorted = new TreeMap<>();
        for (VersionEntry e : entries) {
            sorted.put(e.getDeviceId(), e.getCounter());
        }
        StringBuilder b = new StringBuilder("{");
        sorted.forEach((device, counter) -> {
            if (b.length() > 1) {
                b.append(", ");
            }
            string(b, device).append(": ").append(counter);
        });
        return b.append('}').toString();
    }

    static String chunks(List<ChunkRef> chunks) {
        StringBuilder b = new StringBuilder("[");
        for (ChunkRef c : chunks) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append("{\"id\": ");
            string(b, c.getChunkId()).append(", \"size\": ").append(c.getSize()).append('}');
        }
        return b.append(']').toString();
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private ReadModelJson() {
    }
}
