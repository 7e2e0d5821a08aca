/**
 * Public links (docs/links.md, docs/decisions/0031): a view-only, revocable, optionally expiring and
 * password-protected link to one file, folder or album, opened without a device token.
 *
 * <p>The owner's side ({@link io.cumulus.ingest.links.LinkController}, {@code /v1/links}) makes, lists
 * and revokes links; the public side ({@link io.cumulus.ingest.links.PublicLinkController},
 * {@code /s/<token>}) lists a link's files as an HTML page or JSON and streams them. Only the token's
 * SHA-256 is stored ({@link io.cumulus.ingest.links.LinkStore}); every request through a link reads
 * its row again, and a download re-reads it between chunks, so revocation and expiry take effect at
 * once on every instance. A password unlocks a link for a browser through a cookie that any
 * instance verifies from the stored row alone ({@link io.cumulus.ingest.links.LinkCookie}).
 */
package io.cumulus.ingest.links;
