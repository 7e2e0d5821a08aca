/**
 * {@code cumulus admin rebuild PROJECTION}: rebuilding a derived store from the topics into a new
 * generation while the old one keeps serving, then switching to it once it has caught up
 * (docs/decisions/0034-rebuild-into-a-new-generation.md).
 *
 * <p>A {@link io.cumulus.standalone.rebuild.Projection} is one derived store (the read model, the chunk
 * reference counts, the photo library, ...) under its command-line name; it creates a
 * {@link io.cumulus.standalone.rebuild.Generation}, an empty copy of the store under another name (a
 * schema {@code readmodel_g2}, a keyspace, a state directory), that the module's own writer code fills
 * from the records {@link io.cumulus.standalone.rebuild.Rebuilds} reads from offset 0, and that it
 * switches to or drops. {@code Rebuilds} runs one job thread per rebuild and reports its
 * {@link io.cumulus.standalone.rebuild.RebuildStatus}; {@code RebuildController} exposes it at
 * {@code /v1/admin/rebuilds} and {@code RebuildCommand} is the command line. {@code RebuildLock} keeps
 * it to one rebuild per projection across the API instances of a deployment (a PostgreSQL advisory lock
 * held for the whole job), and a job refuses topics that no longer start at offset 0.
 *
 * <h2>Adding a projection</h2>
 * Implement {@link io.cumulus.standalone.rebuild.Projection} (name, description, topics, live generation,
 * new generation, digest) and its {@link io.cumulus.standalone.rebuild.Generation} (number, location,
 * apply, positions, switchOver, drop), and declare it as a {@code Projection} bean in
 * {@link io.cumulus.standalone.rebuild.RebuildConfiguration} (conditional when the deployment may not
 * have the store). {@code Rebuilds} calls, in order: {@code liveGeneration()} when the rebuild is asked
 * for; then on the job thread, once every partition is known to start at offset 0, {@code newGeneration()}, {@code positions()} (where to start each
 * partition), {@code apply(records)} for every poll, and {@code switchOver(catchUp)} once fewer than 500
 * records are left, or {@code drop()} after an abort or a failure. A PostgreSQL store can reuse
 * {@code SchemaGenerations} and {@code SchemaGeneration}, which implement the switch described in
 * docs/decisions/0034.
 */
package io.cumulus.standalone.rebuild;
