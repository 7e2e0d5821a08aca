package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.sync.history.RetentionPolicy;

/** Old versions and deleted files hold their chunks for the retention period, then release them. */
class RetentionTopologyTest {
    private static final Instant DAY_0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path stateDir;

    private ReconcilerDriver driver;

    @BeforeEach
    void startDriver() {
        driver = new ReconcilerDriver(stateDir, new RetentionPolicy(Duration.ofDays(30), 2));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static Instant day(int n) {
        return DAY_0.plus(Duration.ofDays(n));
    }

    /** A batch in another namespace at the given day: time passes for the reconciler's partition. */
    private void timePassesTo(int day) {
        driver.submit(aBatch().in("ns-elsewhere").at(day(day))
                .upsert("tick-" + day, "tick-" + day + ".txt", vector("dev-laptop", 1)).build());
    }

    @Test
    void anOldVersionReleasesItsOwnChunksThePeriodAfterItWasReplaced() {
        // given three versions of a file: chunks a+s, then b+s on day 0, then c+s on day 1
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 1), chunk("a"), chunk("s")).build());
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 2), chunk("b"), chunk("s")).build());
        driver.submit(aBatch().in("ns-1").at(day(1)).upsert("f1", "f.bin", vector("dev-laptop", 3), chunk("c"), chunk("s")).build());
        assertThat(driver.chunkRefs()).extracting(kv -> kv.value.getDelta()).containsOnly(1);

        // when 29 days pass, nothing is released
        timePassesTo(29);
        assertThat(driver.chunkRefs()).isEmpty();

        // when the first version's 30 days are over, its own chunk is released; the newest two versions stay
        timePassesTo(30);
        assertThat(driver.chunkRefs()).extracting(kv -> kv.value)
                .extracting(ChunkRefDelta::getChunkId, ChunkRefDelta::getFileId, ChunkRefDelta::getDelta)
                .containsExactly(tuple(chunk("a").getChunkId(), "f1", -1));

        // and however much later, the last two versions keep theirs
        timePassesTo(400);
        assertThat(driver.chunkRefs()).isEmpty();
    }

    @Test
    void aVersionPastItsPeriodIsReleasedAsSoonAsEnoughNewerVersionsExist() {
        // given two versions, the first replaced on day 0
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 1), chunk("a")).build());
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 2), chunk("b")).build());
        timePassesTo(50);
        driver.chunkRefs();

        // when a third version is written on day 60
        driver.submit(aBatch().in("ns-1").at(day(60)).upsert("f1", "f.bin", vector("dev-laptop", 3), chunk("c")).build());

        // then the first version, no longer among the newest two, releases its chunk at once
        assertThat(driver.chunkRefs()).extracting(kv -> kv.key, kv -> kv.value.getDelta())
                .containsExactly(tuple(chunk("c").getChunkId(), 1), tuple(chunk("a").getChunkId(), -1));
    }

    @Test
    void aDeletedFileStaysInTheTrashForThePeriodThenReleasesEverything() {
        // given a file with two versions, deleted on day 2
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 1), chunk("a")).build());
        driver.submit(aBatch().in("ns-1").at(day(1)).upsert("f1", "f.bin", vector("dev-laptop", 2), chunk("b")).build());
        driver.submit(aBatch().in("ns-1").at(day(2)).delete("f1", "f.bin", vector("dev-laptop", 3)).build());
        driver.chunkRefs();

        // when the trash period has not ended, only the first version's own retention (from day 1) is over
        timePassesTo(31);
        assertThat(driver.chunkRefs()).extracting(kv -> kv.key, kv -> kv.value.getDelta())
                .containsExactly(tuple(chunk("a").getChunkId(), -1));

        // when it has, the deleted file's last version is released too
        timePassesTo(32);
        assertThat(driver.chunkRefs()).extracting(kv -> kv.key, kv -> kv.value.getDelta())
                .containsExactly(tuple(chunk("b").getChunkId(), -1));
    }

    @Test
    void aFileRestoredFromTheTrashKeepsItsChunks() {
        // given a file deleted on day 0 and brought back on day 10
        driver.submit(aBatch().in("ns-1").at(day(0)).upsert("f1", "f.bin", vector("dev-laptop", 1), chunk("a")).build());
        driver.submit(aBatch().in("ns-1").at(day(0)).delete("f1", "f.bin", vector("dev-laptop", 2)).build());
        driver.submit(aBatch().in("ns-1").at(day(10)).upsert("f1", "f.bin", vector("dev-laptop", 3), chunk("a")).build());
        driver.chunkRefs();

        // when the deletion's trash period ends, then the live file's chunk stays referenced
        timePassesTo(100);
        assertThat(driver.chunkRefs()).isEmpty();
    }
}
