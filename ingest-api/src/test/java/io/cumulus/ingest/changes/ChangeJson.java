package io.cumulus.ingest.changes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Builds change batch bodies for tests: {@code aBatch(ns).with(aChange(device).onPath("a.txt")).json()}. */
final class ChangeJson {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String CHUNK_A = "a".repeat(64);
    static final String CHUNK_B = "b".repeat(64);

    static Batch aBatch(String namespaceId) {
        return new Batch(namespaceId);
    }

    static Change aChange(String deviceId) {
        return new Change(deviceId);
    }

    static final class Batch {
        private final Map<String, Object> body = new LinkedHashMap<>();
        private final List<Object> changes = new ArrayList<>();

        private Batch(String namespaceId) {
            body.put("namespaceId", namespaceId);
            body.put("changes", changes);
        }

        Batch with(Change change) {
            changes.add(change.body);
            return this;
        }

        Batch set(String member, Object value) {
            body.put(member, value);
            return this;
        }

        Map<String, Object> map() {
            return body;
        }

        JsonNode tree() {
            return JSON.valueToTree(body);
        }

        String json() {
            return JSON.writeValueAsString(body);
        }
    }

    static final class Change {
        private final Map<String, Object> body = new LinkedHashMap<>();

        private Change(String deviceId) {
            body.put("fileId", "file-1");
            body.put("path", "docs/a.txt");
            body.put("op", "UPSERT");
            body.put("vector", new LinkedHashMap<>(Map.of(deviceId, 1)));
            body.put("chunks", List.of(Map.of("id", CHUNK_A, "size", 10)));
            body.put("size", 10);
        }

        Change fileId(Object fileId) {
            return set("fileId", fileId);
        }

        Change onPath(Object path) {
            return set("path", path);
        }

        Change op(Object op) {
            return set("op", op);
        }

        Change vector(Map<String, ?> vector) {
            return set("vector", vector);
        }

        /** Chunks as alternating id, size. */
        Change chunks(Object... idSizePairs) {
            List<Map<String, Object>> chunks = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < idSizePairs.length; i += 2) {
                Map<String, Object> chunk = new LinkedHashMap<>();
                chunk.put("id", idSizePairs[i]);
                chunk.put("size", idSizePairs[i + 1]);
                chunks.add(chunk);
                if (idSizePairs[i + 1] instanceof Number n) {
                    total += n.longValue();
                }
            }
            set("chunks", chunks);
            return set("size", total);
        }

        Change deleted() {
            body.remove("chunks");
            body.remove("size");
            return set("op", "DELETE");
        }

        Change set(String member, Object value) {
            body.put(member, value);
            return this;
        }

        Change without(String member) {
            body.remove(member);
            return this;
        }
    }

    private ChangeJson() {
    }
}
