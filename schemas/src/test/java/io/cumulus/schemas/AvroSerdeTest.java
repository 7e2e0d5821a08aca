package io.cumulus.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;

import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static FileEvent anEvent() {
        return FileEvent.newBuilder()
                .setNamespaceId("ns").setSeq(7).setFileId("f").setPath("a/b.txt").setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry("d1", 2L)))
                .setChunks(List.of(new ChunkRef("ab".repeat(32), 10L)))
                .setSize(10).setDeviceId("d1").setBatchId("b").setChangeIndex(0).setAt(1000L)
                .build();
    }

    @Test
    void anAlbumEventSurvivesARoundTrip() {
        AlbumEvent added = AlbumEvent.newBuilder()
                .setEventId("e1").setNamespaceId("ns").setAccountId("a").setDeviceId("d").setAlbumId("album")
                .setKind(AlbumEventKind.PHOTOS_ADDED).setFileIds(List.of("f1", "f2")).setBeforeFileId("f0").setAt(1000L)
                .build();
        AvroSerde<AlbumEvent> serde = AvroSerde.albumEvents();

        assertThat(serde.decode(serde.encode(added))).isEqualTo(added);
    }

    @Test
    void aRecordSurvivesARoundTrip() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.decode(serde.encode(anEvent()))).isEqualTo(anEvent());
    }

    @Test
    void aFileEventOfTheFirstReleaseDecodesAsNotWaitingForAMerge() throws Exception {
        // given an event written by release v1, whose schema has no mergePending
        Schema v1 = ReleasedSchemas.of(FileEvent.getClassSchema().getFullName()).getFirst();
        assertThat(v1.getField("mergePending")).isNull();
        ByteBuffer written = new BinaryMessageEncoder<FileEvent>(GenericData.get(), v1).encode(anEvent());
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);

        // when today's reader decodes it
        FileEvent read = AvroSerde.fileEvents().decode(bytes);

        // then it is the same event, not waiting for a merge
        assertThat(read).isEqualTo(anEvent());
        assertThat(read.getMergePending()).isFalse();
    }

    @Test
    void theSameRecordAlwaysEncodesToTheSameBytes() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.encode(anEvent())).isEqualTo(AvroSerde.fileEvents().encode(anEvent()));
    }
}
