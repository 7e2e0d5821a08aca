package io.cumulus.photos.albums;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;
import io.cumulus.schemas.AvroSerde;

/**
 * The album projection against a real broker and PostgreSQL: its tables are what the events say,
 * an event about an unknown or deleted album changes nothing, and emptying the tables and their
 * positions then replaying the topic writes exactly the same rows again.
 */
class AlbumReplayIT {
    private static final long T0 = 1_700_000_000_000L;
    private static final String NS = UUID.randomUUID().toString();
    private static final String ACCOUNT = UUID.randomUUID().toString();

    private final String bootstrap = TestServers.kafka().bootstrapServers();
    private final PostgresConnection postgres = TestServers.freshDatabase();
    private final DataSource db = postgres.dataSource();
    private final String topic = "album-events-it-" + UUID.randomUUID();
    private final List<AlbumProjector> projectors = new ArrayList<>();

    @AfterEach
    void close() {
        projectors.forEach(AlbumProjector::close);
        postgres.close();
    }

    @Test
    void replayingTheTopicIntoEmptiedTablesWritesTheSameRows() throws Exception {
        // given a history of albums and favourites, with events about an unknown and a deleted album among them
        createTopic(3);
        String holiday = UUID.randomUUID().toString();
        String family = UUID.randomUUID().toString();
        String gone = UUID.randomUUID().toString();
        Map<Integer, Long> end = produce(
                event(AlbumEventKind.CREATED, holiday, 0).setName("Holiday").build(),
                event(AlbumEventKind.CREATED, family, 1).setName("Family").build(),
                event(AlbumEventKind.PHOTOS_ADDED, holiday, 2).setFileIds(List.of("p1", "p2", "p3")).build(),
                event(AlbumEventKind.PHOTOS_ADDED, holiday, 3).setFileIds(List.of("p4")).setBeforeFileId("p2").build(),
                event(AlbumEventKind.REORDERED, holiday, 4).setFileIds(List.of("p3", "p1", "p4", "p2")).build(),
                event(AlbumEventKind.PHOTOS_REMOVED, holiday, 5).setFileIds(List.of("p1")).build(),
                event(AlbumEventKind.RENAMED, holiday, 6).setName("Holiday 2026").build(),
                event(AlbumEventKind.PHOTOS_ADDED, family, 7).setFileIds(List.of("p9")).build(),
                event(AlbumEventKind.CREATED, gone, 8).setName("Gone").build(),
                event(AlbumEventKind.DELETED, gone, 9).build(),
                event(AlbumEventKind.PHOTOS_ADDED, gone, 10).setFileIds(List.of("p1")).build(),
                event(AlbumEventKind.RENAMED, UUID.randomUUID().toString(), 11).setName("Unknown").build(),
                event(AlbumEventKind.CREATED, holiday, 12).setName("Created again").build(),
                event(AlbumEventKind.FAVOURITED, null, 13).setFileIds(List.of("p1", "p2", "p3")).build(),
                event(AlbumEventKind.UNFAVOURITED, null, 14).setFileIds(List.of("p2")).build());

        // when it is projected
        start("album-it-" + UUID.randomUUID());
        awaitProjected(end);
        String live = digest();

        // then the rows are what the events say
        assertThat(rows("SELECT name || ':' || (deleted_at IS NOT NULL) FROM photos.albums ORDER BY created_at"))
                .containsExactly("Holiday 2026:false", "Family:false", "Gone:true");
        assertThat(rows("SELECT file_id FROM photos.album_photos WHERE album_id = '" + holiday + "' ORDER BY position"))
                .containsExactly("p3", "p4", "p2");
        assertThat(rows("SELECT count(*) FROM photos.album_photos WHERE album_id = '" + gone + "'")).containsExactly("0");
        assertThat(rows("SELECT file_id FROM photos.favourites ORDER BY file_id")).containsExactly("p1", "p3");

        // when the tables and positions are emptied and the topic replayed by a new projector
        projectors.removeFirst().close();
        execute("DELETE FROM photos.albums; DELETE FROM photos.album_photos; DELETE FROM photos.favourites;"
                + " DELETE FROM photos.consumer_positions WHERE topic = '" + topic + "'");
        assertThat(digest()).isNotEqualTo(live);
        start("album-it-" + UUID.randomUUID());
        awaitProjected(end);

        // then the same rows are there again
        assertThat(digest()).isEqualTo(live);
    }

    @Test
    void replayingSharedAlbumsWritesTheSameMembersAndContributions() throws Exception {
        // given a shared album: members, contributions from two other libraries (one with a file id the owner's library
        // also has), a role change, a member removed with their contributions, and events the rules refuse
        createTopic(3);
        String shared = UUID.randomUUID().toString();
        String bob = UUID.randomUUID().toString();
        String carol = UUID.randomUUID().toString();
        String dave = UUID.randomUUID().toString();
        String carolsLibrary = UUID.randomUUID().toString();
        String davesLibrary = UUID.randomUUID().toString();
        Map<Integer, Long> end = produce(
                event(AlbumEventKind.CREATED, shared, 0).setName("Shared").build(),
                event(AlbumEventKind.PHOTOS_ADDED, shared, 1).setFileIds(List.of("p1", "p2")).build(),
                event(AlbumEventKind.SHARED, shared, 2).setMemberAccountId(bob).setMemberRole("view").build(),
                event(AlbumEventKind.SHARED, shared, 3).setMemberAccountId(carol).setMemberRole("contribute").build(),
                event(AlbumEventKind.SHARED, shared, 4).setMemberAccountId(dave).setMemberRole("contribute").build(),
                by(carol, event(AlbumEventKind.PHOTOS_ADDED, shared, 5)).setPhotos(List.of(ref(carolsLibrary, "p1"))).build(),
                by(dave, event(AlbumEventKind.PHOTOS_ADDED, shared, 6)).setPhotos(List.of(ref(davesLibrary, "d1"), ref(davesLibrary, "d2")))
                        .setBeforePhoto(ref(carolsLibrary, "p1")).build(),
                // refused: a view member adds, a member renames, a non-member shares
                by(bob, event(AlbumEventKind.PHOTOS_ADDED, shared, 7)).setPhotos(List.of(ref(UUID.randomUUID().toString(), "b1"))).build(),
                by(carol, event(AlbumEventKind.RENAMED, shared, 8)).setName("Carol's").build(),
                by(bob, event(AlbumEventKind.SHARED, shared, 9)).setMemberAccountId(UUID.randomUUID().toString()).setMemberRole("view").build(),
                event(AlbumEventKind.SHARED, shared, 10).setMemberAccountId(bob).setMemberRole("contribute").build(),
                event(AlbumEventKind.UNSHARED, shared, 11).setMemberAccountId(dave).build(),
                by(dave, event(AlbumEventKind.PHOTOS_ADDED, shared, 12)).setPhotos(List.of(ref(davesLibrary, "d3"))).build(),
                event(AlbumEventKind.REORDERED, shared, 13).setPhotos(List.of(ref(carolsLibrary, "p1"), ref(NS, "p2"))).build());

        // when it is projected
        start("album-it-" + UUID.randomUUID());
        awaitProjected(end);
        String live = digest();

        // then the rows are what the events say
        assertThat(rows("SELECT name FROM photos.albums WHERE album_id = '" + shared + "'")).containsExactly("Shared");
        assertThat(rows("SELECT account_id || ':' || role FROM photos.album_members WHERE album_id = '" + shared + "' ORDER BY shared_at"))
                .containsExactly(carol + ":contribute", bob + ":contribute");
        assertThat(rows("SELECT photo_namespace_id || '/' || file_id || ':' || account_id || ':' || position FROM photos.album_photos"
                + " WHERE album_id = '" + shared + "' ORDER BY position"))
                .containsExactly(carolsLibrary + "/p1:" + carol + ":0", NS + "/p2:" + ACCOUNT + ":1", NS + "/p1:" + ACCOUNT + ":2");

        // when the tables and positions are emptied and the topic replayed by a new projector
        projectors.removeFirst().close();
        execute("DELETE FROM photos.albums; DELETE FROM photos.album_photos; DELETE FROM photos.album_members;"
                + " DELETE FROM photos.favourites; DELETE FROM photos.consumer_positions WHERE topic = '" + topic + "'");
        assertThat(digest()).isNotEqualTo(live);
        start("album-it-" + UUID.randomUUID());
        awaitProjected(end);

        // then the same rows are there again
        assertThat(digest()).isEqualTo(live);
    }

    private static AlbumEvent.Builder by(String account, AlbumEvent.Builder event) {
        return event.setAccountId(account);
    }

    private static io.cumulus.schemas.AlbumPhotoRef ref(String namespace, String fileId) {
        return io.cumulus.schemas.AlbumPhotoRef.newBuilder().setNamespaceId(namespace).setFileId(fileId).build();
    }

    @Test
    void eventsDeliveredAgainToAnotherGroupAreNotAppliedTwice() throws Exception {
        createTopic(1);
        String album = UUID.randomUUID().toString();
        Map<Integer, Long> end = produce(
                event(AlbumEventKind.CREATED, album, 0).setName("Once").build(),
                event(AlbumEventKind.PHOTOS_ADDED, album, 1).setFileIds(List.of("a", "b")).build(),
                event(AlbumEventKind.REORDERED, album, 2).setFileIds(List.of("b", "a")).build());
        start("album-it-" + UUID.randomUUID());
        awaitProjected(end);
        String once = digest();
        projectors.removeFirst().close();

        // a new group starts from the beginning of Kafka's log, but the positions in the database say where to go on
        start("album-it-" + UUID.randomUUID());
        Map<Integer, Long> more = produce(event(AlbumEventKind.PHOTOS_ADDED, album, 3).setFileIds(List.of("c")).build());
        awaitProjected(more);

        assertThat(digest()).isNotEqualTo(once);
        assertThat(rows("SELECT file_id FROM photos.album_photos ORDER BY position")).containsExactly("b", "a", "c");
    }

    private static AlbumEvent.Builder event(AlbumEventKind kind, String album, int step) {
        return AlbumEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setNamespaceId(NS).setAccountId(ACCOUNT)
                .setDeviceId(UUID.randomUUID().toString()).setAlbumId(album).setKind(kind).setAt(T0 + step * 1000L);
    }

    private void start(String group) {
        AlbumProjector projector = new AlbumProjector(AlbumProjectorConfig.of(bootstrap, db).withTopic(topic).withGroupId(group)
                .withMaxRetryBackoff(Duration.ofSeconds(1)));
        projector.start();
        projectors.add(projector);
    }

    private void createTopic(int partitions) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        PhotosSchema.migrate(db);
    }

    /** Sends the events keyed by namespace, as the API does; returns the offset after the last one of each partition. */
    private Map<Integer, Long> produce(AlbumEvent... events) throws Exception {
        Map<Integer, Long> ends = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (AlbumEvent e : events) {
                var sent = producer.send(new ProducerRecord<>(topic, e.getNamespaceId(), AvroSerde.albumEvents().encode(e))).get();
                ends.merge(sent.partition(), sent.offset() + 1, Math::max);
            }
        }
        return ends;
    }

    private void awaitProjected(Map<Integer, Long> ends) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Map.Entry<Integer, Long> e : ends.entrySet()) {
                assertThat(rows("SELECT next_offset FROM photos.consumer_positions WHERE topic = '" + topic
                        + "' AND partition = " + e.getKey())).containsExactly(Long.toString(e.getValue()));
            }
        });
    }

    /** Every row of the album tables, in a fixed order, as one string. */
    private String digest() throws SQLException {
        return String.join("\n", rows("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM photos.albums t"))
                + String.join("\n", rows("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM photos.album_photos t"))
                + String.join("\n", rows("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM photos.favourites t"))
                + String.join("\n", rows("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM photos.album_members t"));
    }

    private List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
