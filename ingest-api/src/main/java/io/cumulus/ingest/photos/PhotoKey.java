package io.cumulus.ingest.photos;

import java.util.UUID;

/**
 * A photo named by its library (namespace) and file id. File ids are unique only within a namespace,
 * and a shared album holds photos of its members' libraries beside its owner's (docs/decisions/0032).
 */
record PhotoKey(UUID namespace, String fileId) {
}
