package io.cumulus.ingest.chunks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How much deduplication saves, as counters exported with the process's other metrics:
 * <ul>
 *   <li>{@code cumulus_chunks_processed_total}: chunk ids devices asked about before uploading
 *       ({@code POST /v1/chunks/missing}), one per chunk of every manifest they send;</li>
 *   <li>{@code cumulus_dedup_hits_total{kind="skipped"}}: those the server already held for the
 *       account, so their bytes were never sent;</li>
 *   <li>{@code cumulus_dedup_hits_total{kind="stored-once"}}: uploads of a chunk already stored (by
 *       this account or another), whose bytes were checked and not stored a second time.</li>
 * </ul>
 * The dedup ratio over any window is {@code rate(cumulus_dedup_hits_total{kind="skipped"}[1h]) /
 * rate(cumulus_chunks_processed_total[1h])}; {@code cumulus_dedup_ratio} is the same ratio since the
 * process started (0 before any chunk was asked about).
 */
public final class DedupMetrics {
    private final Counter processed;
    private final Counter skipped;
    private final Counter storedOnce;

    public DedupMetrics(MeterRegistry registry) {
        this.processed = Counter.builder("cumulus.chunks.processed")
                .description("Chunk ids devices asked about before uploading").register(registry);
        this.skipped = Counter.builder("cumulus.dedup.hits").tag("kind", "skipped")
                .description("Chunks not uploaded because the server held them already").register(registry);
        this.storedOnce = Counter.builder("cumulus.dedup.hits").tag("kind", "stored-once")
                .description("Uploads of chunks already stored, kept once").register(registry);
        Gauge.builder("cumulus.dedup.ratio", this, DedupMetrics::ratio)
                .description("Share of the chunks devices asked about that they did not have to send, since start")
                .register(registry);
    }

    private double ratio() {
        double asked = processed.count();
        return asked == 0 ? 0 : skipped.count() / asked;
    }

    void asked(int chunkIds, int missing) {
        processed.increment(chunkIds);
        skipped.increment(chunkIds - missing);
    }

    void uploadedAgain() {
        storedOnce.increment();
    }
}
