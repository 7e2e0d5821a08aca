/**
 * Shared folders: a share is a namespace of kind {@code shared} whose members (owner, editors,
 * viewers) each mount it at a path of their own in their synced tree. {@link io.cumulus.ingest.shares.ShareController}
 * is the {@code /v1/shares} API, {@link io.cumulus.ingest.shares.Shares} the rules (who may invite,
 * accept, leave, remove, change roles and transfer ownership), {@link io.cumulus.ingest.shares.ShareStore}
 * its tables and {@link io.cumulus.ingest.shares.ShareChunks} the chunk visibility that joining and
 * leaving grant and take away. Why a share is a namespace, how invitations avoid revealing accounts
 * and how membership changes are ordered against batches: docs/decisions/0029-shared-folders-on-the-server.md.
 */
package io.cumulus.ingest.shares;
