package io.cumulus.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

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
    void aRecordSurvivesARoundTrip() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.decode(serde.encode(anEvent()))).isEqualTo(anEvent());
    }

    @Test
    void theSameRecordAlwaysEncodesToTheSameBytes() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.encode(anEvent())).isEqualTo(AvroSerde.fileEvents().encode(anEvent()));
    }
}
