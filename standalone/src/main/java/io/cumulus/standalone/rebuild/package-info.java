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
 * {@code /v1/admin/rebuilds} and {@code RebuildCommand} is the command line.
 */
package io.cumulus.standalone.rebuild;
