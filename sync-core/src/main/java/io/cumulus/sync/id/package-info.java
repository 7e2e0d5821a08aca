/**
 * Ids of the sync vocabulary that have a syntax of their own: {@link io.cumulus.sync.id.FileId}.
 */
package io.cumulus.sync.id;
