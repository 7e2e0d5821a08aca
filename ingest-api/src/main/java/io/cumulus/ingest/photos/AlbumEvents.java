package io.cumulus.ingest.photos;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;

/** Builds the events a person's requests make, stamped with who made them and when (the API's clock). */
final class AlbumEvents {
    private final Clock clock;

    AlbumEvents(Clock clock) {
        this.clock = clock;
    }

    AlbumEvent.Builder of(DeviceSession session, UUID namespace, AlbumEventKind kind, UUID albumId) {
        return AlbumEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setNamespaceId(namespace.toString())
                .setAccountId(session.accountId().toString())
                .setDeviceId(session.deviceId().toString())
                .setAlbumId(albumId == null ? null : albumId.toString())
                .setKind(kind)
                .setFileIds(List.of())
                .setAt(clock.millis());
    }
}
