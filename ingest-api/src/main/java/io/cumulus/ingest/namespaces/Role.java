package io.cumulus.ingest.namespaces;

import java.util.Locale;

/** What a member may do in a namespace: owners and editors write, every member reads. */
public enum Role {
    OWNER, EDITOR, VIEWER;

    public boolean canWrite() {
        return this != VIEWER;
    }

    /** The spelling in {@code ingest.namespace_members.role} and in JSON answers. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
