/**
 * Deltas between two versions of a chunk, rsync-style: a {@link io.cumulus.sync.delta.Signature}
 * of the base (a weak rolling and a truncated strong hash per block), a
 * {@link io.cumulus.sync.delta.DeltaEncoder} that describes the target as copies of base ranges and
 * literal bytes, and {@link io.cumulus.sync.delta.DeltaCodec#apply} that rebuilds the target with
 * strict bounds checks. Pure: no I/O. Why deltas beside content-defined chunks rather than smaller
 * chunks: docs/decisions/0017-chunk-deltas-for-small-edits.md.
 */
package io.cumulus.sync.delta;
