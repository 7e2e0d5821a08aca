package io.cumulus.ingest.photos;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.schemas.Topics;

/**
 * The photo library's endpoints and what they need. Properties: {@code cumulus.kafka.bootstrap-servers}
 * (album and favourite changes are refused with a 503 without it), {@code cumulus.photos.album-events-topic}
 * ({@value Topics#ALBUM_EVENTS}) and {@code cumulus.photos.projection-wait} (5s: how long a change waits for
 * the album projection before it answers 202). The {@code photos} schema is the photo derivatives
 * worker's; this API only reads it.
 */
@Configuration(proxyBeanMethods = false)
@Import({PhotoController.class, AlbumController.class, AlbumMemberController.class, AlbumPhotoController.class})
public class PhotoApiConfiguration {

    @Bean
    PhotoLibrary ingestPhotoLibrary(IngestDatabase db) {
        return new PhotoLibrary(db);
    }

    @Bean
    Albums ingestAlbums(IngestDatabase db) {
        return new Albums(db);
    }

    @Bean
    AlbumAccess ingestAlbumAccess(PhotoLibrary library, Albums albums) {
        return new AlbumAccess(library, albums);
    }

    @Bean
    AlbumEvents ingestAlbumEvents() {
        return new AlbumEvents(Clock.systemUTC());
    }

    @Bean
    AlbumEventPublisher ingestAlbumEventPublisher(@Value("${cumulus.kafka.bootstrap-servers:}") String bootstrapServers,
                                                  @Value("${cumulus.photos.album-events-topic:" + Topics.ALBUM_EVENTS + "}") String topic) {
        return new AlbumEventPublisher(bootstrapServers, topic);
    }

    @Bean
    ProjectionWait ingestProjectionWait(PhotoLibrary library, AlbumEventPublisher publisher,
                                        @Value("${cumulus.photos.projection-wait:5s}") Duration wait) {
        return new ProjectionWait(library, publisher.topic(), wait);
    }
}
