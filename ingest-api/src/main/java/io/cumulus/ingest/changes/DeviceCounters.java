package io.cumulus.ingest.changes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.sync.vector.VersionVector;

/**
 * What a batch's version vectors may claim, checked against {@code ingest.device_counters}: per
 * namespace, the highest counter each vector entry has claimed for itself in an accepted batch.
 *
 * <h2>The rules</h2>
 * <ul>
 * <li>Every key names a device of an account that is a member of the namespace (the submitter's own
 *     account is one), or an entry already recorded there (a device of a member who has left, whose
 *     edits stay in the files' vectors). A revoked device still names its past edits.</li>
 * <li>The submitting actor's own counter is at most {@link VersionVector#MAX_COUNTER}: a counter near
 *     {@link Long#MAX_VALUE} would overflow at the device's next edit.</li>
 * <li>Any other entry's counter is at most the highest that entry has claimed for itself: a device
 *     cannot have seen an edit that was never accepted, and a claim beyond it would make its change
 *     dominate versions it has not seen, overwriting them instead of keeping both.</li>
 * </ul>
 * Vectors the server builds (merges, restores, resolutions) join stored vectors, every entry of which
 * passed these rules, and count their own edit under their own actor, so they pass too.
 */
final class DeviceCounters {
    private final IngestDatabase db;

    DeviceCounters(IngestDatabase db) {
        this.db = db;
    }

    /** @throws InvalidChangeException {@code invalid-vector}, naming the first change that breaks a rule */
    void check(UUID namespaceId, VectorActor actor, ChangeBatch batch) {
        Set<String> keys = new TreeSet<>();
        batch.changes().forEach(c -> keys.addAll(c.vector().keySet()));
        Map<String, Long> recorded = recorded(namespaceId, keys);
        Set<UUID> members = memberDevices(namespaceId, keys);
        List<FileChange> changes = batch.changes();
        for (int i = 0; i < changes.size(); i++) {
            for (Map.Entry<String, Long> entry : changes.get(i).vector().entrySet()) {
                String key = entry.getKey();
                long counter = entry.getValue();
                Optional<VectorActor> named = VectorActor.parse(key);
                if (named.isEmpty()) {
                    throw InvalidChangeException.vector(i, "'" + key + "' is not a vector entry: a key is " + VectorActor.SYNTAX);
                }
                if (!members.contains(named.get().deviceId()) && !recorded.containsKey(key)) {
                    throw InvalidChangeException.vector(i, "device " + key + " is not a device of this namespace's members");
                }
                if (counter < 1) {
                    throw InvalidChangeException.vector(i, "the counter of device " + key + " must be >= 1, was " + counter);
                }
                if (key.equals(actor.key())) {
                    if (counter > VersionVector.MAX_COUNTER) {
                        throw InvalidChangeException.vector(i, "the counter of device " + key + " may be at most "
                                + VersionVector.MAX_COUNTER + ", was " + counter);
                    }
                } else if (counter > recorded.getOrDefault(key, 0L)) {
                    throw InvalidChangeException.vector(i, "the counter of device " + key + " is " + counter
                            + ", but that device has only claimed up to " + recorded.getOrDefault(key, 0L)
                            + ": a vector can only count edits the server has accepted");
                }
            }
        }
    }

    /** Records the highest counter the actor claims for itself in the batch; call in the batch's transaction. */
    void record(UUID namespaceId, VectorActor actor, ChangeBatch batch) {
        Optional<Long> highest = batch.changes().stream()
                .map(c -> c.vector().get(actor.key()))
                .filter(Objects::nonNull)
                .max(Long::compare);
        highest.ifPresent(counter -> db.jdbc().sql("""
                        INSERT INTO ingest.device_counters (namespace_id, device, max_counter) VALUES (?, ?, ?)
                        ON CONFLICT (namespace_id, device) DO UPDATE
                        SET max_counter = greatest(device_counters.max_counter, excluded.max_counter)""")
                .params(namespaceId, actor.key(), counter)
                .update());
    }

    private Map<String, Long> recorded(UUID namespaceId, Set<String> keys) {
        Map<String, Long> counters = new HashMap<>();
        db.jdbc().sql("SELECT device, max_counter FROM ingest.device_counters WHERE namespace_id = ? AND device = ANY(?::text[])")
                .params(namespaceId, keys.toArray(String[]::new))
                .query(rs -> {
                    counters.put(rs.getString("device"), rs.getLong("max_counter"));
                });
        return counters;
    }

    /** The devices the keys name that belong to a member of the namespace, revoked ones included. */
    private Set<UUID> memberDevices(UUID namespaceId, Set<String> keys) {
        String[] ids = keys.stream().map(VectorActor::parse).flatMap(Optional::stream).map(a -> a.deviceId().toString())
                .distinct().toArray(String[]::new);
        return new TreeSet<>(db.jdbc().sql("""
                        SELECT d.id FROM ingest.devices d
                        JOIN ingest.namespace_members m ON m.account_id = d.account_id AND m.namespace_id = ?
                        WHERE d.id = ANY(?::uuid[])""")
                .params(namespaceId, ids)
                .query(UUID.class).list());
    }
}
