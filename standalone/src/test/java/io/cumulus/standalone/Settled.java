package io.cumulus.standalone;


import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The derived state of a server once its pipeline is idle: every derived table, and the digest of
 * every state store of the reconciler's live generation. Idle means two looks a second apart see the same state, the
 * workload having waited for every outcome it caused (batches decided, merges done, photos derived).
 */
record Settled(DerivedTables.Snapshot tables, Map<String, String> stores) {
    static final String RECONCILER = "cumulus-reconciler";
    private static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

    static Settled look(DerivedTables tables, StoreChangelogs changelogs) {
        return new Settled(tables.capture(), changelogs.digests(changelogs.liveApplicationId(RECONCILER, "file-states")));
    }

    static Settled await(DerivedTables tables, StoreChangelogs changelogs) {
        AtomicReference<Settled> last = new AtomicReference<>(look(tables, changelogs));
        return org.awaitility.Awaitility.await("the pipeline settles").atMost(Duration.ofSeconds(60))
                .pollDelay(LOOK_AGAIN).pollInterval(LOOK_AGAIN)
                .until(() -> {
                    Settled now = look(tables, changelogs);
                    return now.equals(last.getAndSet(now)) ? now : null;
                }, s -> s != null);
    }
}
