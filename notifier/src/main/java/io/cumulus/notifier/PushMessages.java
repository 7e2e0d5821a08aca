package io.cumulus.notifier;

import java.util.LinkedHashMap;
import java.util.Map;

import io.cumulus.schemas.ChangeOutcome;
import tools.jackson.databind.json.JsonMapper;

/**
 * The text frames the notifier sends. A push carries no file data, only what a device needs to know
 * whether to pull: the namespace and its newest sequence number, or the verdict on one change of a
 * batch it submitted.
 */
final class PushMessages {
    static final String PONG = "{\"type\":\"pong\"}";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static String namespaceChanged(String namespace, long seq) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "namespace-changed");
        m.put("namespace", namespace);
        m.put("seq", seq);
        return JSON.writeValueAsString(m);
    }

    static String outcome(ChangeOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "outcome");
        m.put("batchId", o.getBatchId());
        m.put("changeIndex", o.getChangeIndex());
        m.put("namespace", o.getNamespaceId());
        m.put("fileId", o.getFileId());
        m.put("path", o.getPath());
        m.put("kind", o.getKind().name());
        m.put("seq", o.getSeq());
        m.put("conflictPath", o.getConflictPath());
        return JSON.writeValueAsString(m);
    }

    /** Whether a client's frame is {@code {"type":"ping"}}; anything that is not JSON is rejected. */
    static boolean isPing(String payload) {
        var tree = JSON.readTree(payload);
        var type = tree.get("type");
        return type != null && type.isString() && type.asString().equals("ping");
    }

    private PushMessages() {
    }
}
