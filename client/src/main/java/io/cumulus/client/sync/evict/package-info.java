/**
 * Originals on demand: which originals a size-limited folder evicts ({@link io.cumulus.client.sync.evict.EvictionPlanner},
 * pure), the placeholders that stand for them ({@link io.cumulus.client.sync.evict.Placeholder}), and the small executors
 * that evict, reconcile and fetch ({@link io.cumulus.client.sync.evict.Evictor},
 * {@link io.cumulus.client.sync.evict.Fetcher}). Decision record: {@code docs/decisions/0025-originals-on-demand.md}.
 */
package io.cumulus.client.sync.evict;
