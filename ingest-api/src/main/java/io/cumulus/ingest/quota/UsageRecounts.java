package io.cumulus.ingest.quota;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts accounts' usage from the read model on a thread of its own, one account at a time, each at
 * most once in the queue: a request that finds an old count asks for a new one and goes on with the
 * old count plus the charges since, which is never less than the usage (only space freed meanwhile
 * is not seen yet). So no batch or upload waits for a pass over a large account's feed.
 */
final class UsageRecounts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageRecounts.class);

    private final UsageLedger ledger;
    private final Set<UUID> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cumulus-usage-count");
        t.setDaemon(true);
        return t;
    });

    UsageRecounts(UsageLedger ledger) {
        this.ledger = ledger;
    }

    /** Counts the account's usage soon, unless a count of it is queued already. */
    void request(UUID accountId) {
        if (!queued.add(accountId)) {
            return;
        }
        try {
            worker.execute(() -> {
                queued.remove(accountId); // a request from now on counts again: it may have seen a newer charge
                try {
                    ledger.recount(accountId);
                } catch (RuntimeException e) {
                    log.warn("usage count failed account={} error={}", accountId, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            queued.remove(accountId);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
