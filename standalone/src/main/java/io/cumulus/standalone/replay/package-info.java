/**
 * {@code cumulus admin replay}: re-publishing a range of a topic, records unchanged, for a downstream
 * consumer that needs them again; never into a topic Cumulus itself reads or writes
 * (docs/decisions/0035-rebuilding-the-reconciler-and-sync-state.md).
 */
package io.cumulus.standalone.replay;
