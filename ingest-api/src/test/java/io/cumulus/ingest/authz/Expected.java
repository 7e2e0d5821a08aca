package io.cumulus.ingest.authz;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** The exact status a row expects for each {@link Relation}. */
final class Expected {
    private Expected() {
    }

    /**
     * A handler behind device authentication: the six account relations get these statuses; a
     * revoked device, no token, a link token and the admin token are no device and get 401.
     */
    static Map<Relation, Integer> device(int owner, int editor, int viewer, int invited, int removed, int other) {
        Map<Relation, Integer> m = new EnumMap<>(Relation.class);
        m.put(Relation.OWNER, owner);
        m.put(Relation.EDITOR, editor);
        m.put(Relation.VIEWER, viewer);
        m.put(Relation.INVITED, invited);
        m.put(Relation.REMOVED, removed);
        m.put(Relation.OTHER, other);
        m.put(Relation.REVOKED_DEVICE, 401);
        m.put(Relation.NO_TOKEN, 401);
        m.put(Relation.LINK_HOLDER, 401);
        m.put(Relation.EXPIRED_LINK, 401);
        m.put(Relation.ADMIN, 401);
        return Collections.unmodifiableMap(m);
    }

    /** Only the owner's device may: every other account sees no such object. */
    static Map<Relation, Integer> ownerOnly(int status) {
        return device(status, 404, 404, 404, 404, 404);
    }

    /** Any authenticated device, whatever its relation to the owner's objects (it acts on its own account). */
    static Map<Relation, Integer> anyDevice(int status) {
        return device(status, status, status, status, status, status);
    }

    /** An operator's endpoint: the admin token and nothing else. */
    static Map<Relation, Integer> admin(int status) {
        Map<Relation, Integer> m = new EnumMap<>(Relation.class);
        for (Relation r : Relation.values()) {
            m.put(r, r == Relation.ADMIN ? status : 401);
        }
        return Collections.unmodifiableMap(m);
    }

    /** A public endpoint whose answer does not depend on who asks. */
    static Map<Relation, Integer> everyone(int status) {
        Map<Relation, Integer> m = new EnumMap<>(Relation.class);
        for (Relation r : Relation.values()) {
            m.put(r, status);
        }
        return Collections.unmodifiableMap(m);
    }

    /** A copy with one relation's status changed. */
    static Map<Relation, Integer> but(Map<Relation, Integer> base, Relation relation, int status) {
        Map<Relation, Integer> m = new EnumMap<>(base);
        m.put(relation, status);
        return Collections.unmodifiableMap(m);
    }
}
