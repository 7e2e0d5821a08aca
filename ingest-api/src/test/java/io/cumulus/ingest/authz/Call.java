package io.cumulus.ingest.authz;

import java.util.HashMap;
import java.util.Map;

/** One request a row makes, before the credential of a relation is added to it. */
record Call(String method, String path, Object body, Map<String, String> headers) {

    static Call get(String path) {
        return new Call("GET", path, null, Map.of());
    }

    static Call delete(String path) {
        return new Call("DELETE", path, null, Map.of());
    }

    static Call of(String method, String path, Object body) {
        return new Call(method, path, body, Map.of());
    }

    Call withHeader(String name, String value) {
        Map<String, String> h = new HashMap<>(headers);
        h.put(name, value);
        return new Call(method, path, body, h);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
