package io.cumulus.photos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;

/** The date of a photo without one of its own: the device's file time, when it is one a photo could have. */
class FileTimeTest {
    private static final long ACCEPTED = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    private static FileEvent event(Long deviceModifiedAt) {
        return FileEvent.newBuilder().setNamespaceId("ns").setSeq(1).setFileId("f").setPath("p.png").setOp(FileOp.UPSERT)
                .setVector(List.of()).setChunks(List.of()).setSize(1).setDeviceId("d").setBatchId("b").setChangeIndex(0)
                .setAt(ACCEPTED).setDeviceModifiedAt(deviceModifiedAt).build();
    }

    @Test
    void theDevicesFileTimeWhenItIsPlausible() {
        long taken = Instant.parse("2019-07-14T08:30:00Z").toEpochMilli();
        assertThat(PhotoWorker.fileTime(event(taken))).isEqualTo(Instant.ofEpochMilli(taken));
    }

    @Test
    void theServersAcceptanceTimeWhenTheDeviceGaveNoneOrOneNoPhotoCouldHave() {
        for (Long modified : new Long[] {null, Long.MAX_VALUE, Long.MIN_VALUE, 10_000_000_000_000_000L,
                Instant.parse("1850-01-01T00:00:00Z").toEpochMilli(), ACCEPTED + 3 * 86_400_000L}) {
            assertThat(PhotoWorker.fileTime(event(modified))).as(String.valueOf(modified)).isEqualTo(Instant.ofEpochMilli(ACCEPTED));
        }
    }
}
