package io.cumulus.ingest.photos;

import java.time.Duration;

/**
 * Waits, for a bounded time, until the album projection has applied a published event: its position
 * in {@code photos.consumer_positions} for the event's partition is past the event's offset. The
 * projection writes that position in the same transaction as the event's rows, so once it is past,
 * a read shows what the event did. Polls the table rather than listening to anything, so it works
 * whichever process runs the projection.
 */
final class ProjectionWait {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private final PhotoLibrary library;
    private final String topic;
    private final Duration timeout;

    ProjectionWait(PhotoLibrary library, String topic, Duration timeout) {
        this.library = library;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** True when the event has been projected within the timeout, false when the caller should answer 202. */
    boolean projected(AlbumEventPublisher.Published event) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (library.projectedUpTo(topic, event.partition()) > event.offset()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
