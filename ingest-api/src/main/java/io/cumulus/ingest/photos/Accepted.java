package io.cumulus.ingest.photos;

import java.util.UUID;

/**
 * The {@code 202} answer of an album or favourite request whose event is published (durable, and
 * going to be applied) but was not projected within the wait: {@code status} is {@code accepted};
 * reading the album or photo again shortly shows the change.
 */
record Accepted(String status, UUID albumId, String eventId, String detail) {

    static Accepted of(UUID albumId, String eventId) {
        return new Accepted("accepted", albumId, eventId,
                "the change is recorded and will show in the library shortly");
    }
}
