/**
 * The audit log: what was done to an account (sign-ins, devices, shares, links, quotas, deletions and
 * restores), appended by every feature through {@link io.cumulus.ingest.audit.AuditTrail} to a chain
 * per account in which each entry's SHA-256 covers its content and the previous entry's hash
 * ({@link io.cumulus.ingest.audit.AuditHash}). {@link io.cumulus.ingest.audit.AuditVerifier} walks the
 * chains and names the first entry that was edited, removed or moved; {@code GET /v1/audit} lets an
 * account read its own entries. See docs/audit.md and docs/decisions/0028.
 */
package io.cumulus.ingest.audit;
