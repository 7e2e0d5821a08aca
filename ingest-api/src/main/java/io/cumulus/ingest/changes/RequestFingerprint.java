package io.cumulus.ingest.changes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SHA-256 of a batch's canonical form: the parsed request written back as JSON with a fixed
 * member order and sorted vectors. Two bodies that differ only in whitespace, member order or
 * members the API ignores have the same fingerprint; this is what tells a retry (same key, same
 * request) from the reuse of a key for another request.
 */
public final class RequestFingerprint {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static String sha256(ChangeBatch batch) {
        List<Map<String, Object>> changes = batch.changes().stream().map(RequestFingerprint::canonical).toList();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("namespaceId", batch.namespaceId());
        root.put("changes", changes);
        return Sha256.hex(JSON.writeValueAsBytes(root));
    }

    private static Map<String, Object> canonical(FileChange change) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("fileId", change.fileId());
        c.put("path", change.path().value());
        c.put("op", change.op().name());
        c.put("vector", change.vector());
        c.put("chunks", change.chunks().stream().map(ref -> List.of(ref.id().hex(), ref.size())).toList());
        c.put("size", change.size());
        c.put("modifiedAt", change.modifiedAt().isPresent() ? change.modifiedAt().getAsLong() : null);
        return c;
    }

    private RequestFingerprint() {
    }
}
