/**
 * Shared folders in the synced folder: the shares the account is a member of, each mounted at its
 * path and kept by a syncer of its own ({@link io.cumulus.client.sync.share.SharedFolders}), the
 * local record of those mounts, detached ones included ({@link io.cumulus.client.sync.share.MountBook}).
 * What the home folder does about them is planned in {@link io.cumulus.client.sync.plan.Mounts}.
 * Decision record: {@code docs/decisions/0030-shared-folders-in-the-client.md}.
 */
package io.cumulus.client.sync.share;
