package io.cumulus.standalone.rebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.photos.PhotoEventReplay;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.photos.albums.AlbumEventBatch;
import io.cumulus.photos.albums.AlbumStore;
import io.cumulus.schemas.Topics;

/**
 * {@code photos}: the photo library and the albums (schema {@code photos}). The library is rebuilt from
 * the photo events, not the file events ({@link PhotoEventReplay}): the photo worker derives images and
 * publishes what it derived, and a rebuild must do neither again. The albums are rebuilt from the album
 * events by the album projection's own {@link AlbumStore}.
 *
 * <p>The live photo worker keeps its positions in the file events, which the rebuild never reads. The
 * worker sends a poll's photo events before it writes the poll, so at the switch (the worker held off)
 * every write of the live library has its photo event in the topic: the new generation applies the photo
 * events to their end and takes the live generation's file-event positions over, and the worker continues
 * from them.
 */
public final class PhotosProjection extends SchemaProjection {
    public static final String NAME = "photos";
    private static final List<String> TOPICS = List.of(Topics.PHOTO_EVENTS, Topics.ALBUM_EVENTS);
    /** The topics the live workers keep positions of. */
    private static final List<String> LIVE_TOPICS = List.of(Topics.FILE_EVENTS, Topics.ALBUM_EVENTS);

    public PhotosProjection(DataSource dataSource) {
        super(dataSource, PhotosSchema.NAME, NAME, "the photo library and albums, schema " + PhotosSchema.NAME,
                TOPICS, Map.of());
    }

    @Override
    Generation create(int number, String schema, DataSource dataSource) throws Exception {
        PhotosSchema.migrate(dataSource, schema);
        PhotoEventReplay library = new PhotoEventReplay(dataSource, schema);
        library.prepare();
        AlbumStore albums = new AlbumStore(dataSource, schema);
        return new SchemaGeneration(generations, number, TOPICS) {
            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws Exception {
                library.apply(only(records, Topics.PHOTO_EVENTS));
                ConsumerRecords<byte[], byte[]> albumEvents = only(records, Topics.ALBUM_EVENTS);
                if (!albumEvents.isEmpty()) {
                    albums.apply(AlbumEventBatch.decode(albumEvents, Topics.ALBUM_EVENTS));
                }
            }

            @Override
            protected List<String> liveTopics() {
                return LIVE_TOPICS;
            }

            @Override
            protected void beforeRename(Connection c, Map<TopicPartition, Long> livePositions) throws Exception {
                library.finish(c);
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".consumer_positions"
                        + " (topic, partition, next_offset) SELECT topic, partition, next_offset FROM "
                        + PhotosSchema.NAME + ".consumer_positions WHERE topic = ?")) {
                    s.setString(1, Topics.FILE_EVENTS);
                    s.executeUpdate();
                }
            }
        };
    }

    private static ConsumerRecords<byte[], byte[]> only(ConsumerRecords<byte[], byte[]> records, String topic) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            if (tp.topic().equals(topic)) {
                byPartition.put(tp, new ArrayList<>(records.records(tp)));
            }
        }
        return new ConsumerRecords<>(byPartition, Map.of());
    }

}
