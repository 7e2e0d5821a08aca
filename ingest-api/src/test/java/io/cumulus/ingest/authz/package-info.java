/**
 * The authorization matrix of issue 14: every handler of the ingest API, enumerated from Spring's
 * request mappings, against every relation a caller can have to the objects it names (owner,
 * editor, viewer, invited, removed member, another account, a revoked device, no token, a link
 * holder, an expired link, the operator), with the exact status each must get, and the checks
 * that another account's objects answer as ones that do not exist, in status, message, listings
 * and timing.
 */
package io.cumulus.ingest.authz;
