package io.cumulus.ingest.authz;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One line of the matrix: a handler, the owner's object the request names ({@code target}, in
 * words), how to make the request from a set of {@link Targets}, the status every relation must
 * get, and whether the answer for another account's object is compared with the answer for a
 * nonexistent one ({@code leakChecked}: every row whose path or body names an object).
 */
record Row(EndpointKey endpoint, String target, BiFunction<Targets, Asker, Call> call, Map<Relation, Integer> expected,
           boolean leakChecked) {

    Row {
        for (Relation r : Relation.values()) {
            if (!expected.containsKey(r)) {
                throw new IllegalArgumentException(endpoint + " (" + target + ") has no status for " + r);
            }
        }
    }

    static Builder row(String endpoint, String target, Function<Targets, Call> call) {
        return new Builder(EndpointKey.of(endpoint), target, (t, asker) -> call.apply(t));
    }

    /** A row whose request names the asker's own things too (see {@link Asker}). */
    static Builder row(String endpoint, String target, BiFunction<Targets, Asker, Call> call) {
        return new Builder(EndpointKey.of(endpoint), target, call);
    }

    /** The request for these objects, as {@code asker} makes it. */
    Call call(Targets targets, Asker asker) {
        return call.apply(targets, asker);
    }

    record Builder(EndpointKey endpoint, String target, BiFunction<Targets, Asker, Call> call) {
        Row expect(Map<Relation, Integer> expected) {
            return new Row(endpoint, target, call, expected, false);
        }

        Row expectLeakChecked(Map<Relation, Integer> expected) {
            return new Row(endpoint, target, call, expected, true);
        }
    }

    @Override
    public String toString() {
        return endpoint + " (" + target + ")";
    }
}
