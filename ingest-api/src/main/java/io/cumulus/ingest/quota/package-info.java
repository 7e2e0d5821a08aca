/**
 * Storage quotas: each account may keep up to its quota of unique bytes in the retained versions
 * (current, kept history, trash) of the namespaces it owns, a shared folder counting against its
 * owner. {@link io.cumulus.ingest.quota.StorageQuotas} admits or refuses a batch inside the intake's
 * transaction and a chunk upload before its bytes are stored; {@link io.cumulus.ingest.quota.UsageLedger}
 * keeps the usage cheap to ask (a count of the read model refreshed now and then, plus what accepted
 * batches charged since); {@link io.cumulus.ingest.quota.QuotaController} is the admin's and the
 * device's view. Why it is counted this way: docs/decisions/0033-storage-quotas.md.
 */
package io.cumulus.ingest.quota;
