package io.cumulus.ingest.authz;

/**
 * Who sends a row's request, for the rows whose body must name the asker's own things: the device a
 * version vector counts the edit under, and a photo of the asker's own library (albums take photos
 * only from there). Relations without a device get ids of nothing.
 */
record Asker(Relation relation, String deviceId, String accountId, String photo) {
}
