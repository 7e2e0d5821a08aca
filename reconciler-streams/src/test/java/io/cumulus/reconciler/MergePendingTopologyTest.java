package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.FileEvent;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * Which file events tell devices that a conflicted copy waits for the merge worker
 * ({@code mergePending}): exactly the copy of two concurrent content edits of a file the policy
 * merges, and only while a merge worker runs. Every later event of the copy is an ordinary one.
 */
class MergePendingTopologyTest {
    @TempDir
    Path stateDir;

    /** Both devices have version 1 of the file, then each edits it without seeing the other's edit. */
    private static List<FileEvent> concurrentEditsOf(ReconcilerDriver driver, String path) {
        driver.submitAndForget(aBatch().from(LAPTOP).upsert("f1", path, vector("dev-laptop", 1), chunk("v1")).build());
        driver.submitAndForget(aBatch().from(LAPTOP).upsert("f1", path, vector("dev-laptop", 2), chunk("laptop")).build());
        driver.submit(aBatch().from(PHONE)
                .upsert("f1", path, vector("dev-laptop", 1, "dev-phone", 1), chunk("phone")).build());
        return driver.events();
    }

    @Test
    void theCopyOfConcurrentTextEditsWaitsForTheMerge() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            List<FileEvent> events = concurrentEditsOf(driver, "notes.txt");

            assertThat(events).singleElement().satisfies(copy -> {
                assertThat(copy.getConflictOf()).hasToString("f1");
                assertThat(copy.getMergePending()).isTrue();
            });
        }
    }

    @Test
    void theCopyOfConcurrentPhotoEditsIsShownAtOnce() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            List<FileEvent> events = concurrentEditsOf(driver, "IMG_1.jpg");

            assertThat(events).singleElement().satisfies(copy -> {
                assertThat(copy.getConflictOf()).hasToString("f1");
                assertThat(copy.getMergePending()).isFalse();
            });
        }
    }

    @Test
    void withoutAMergeWorkerTheCopyOfTextEditsIsShownAtOnce() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir, RetentionPolicy.defaults(), false)) {
            List<FileEvent> events = concurrentEditsOf(driver, "notes.txt");

            assertThat(events).singleElement().satisfies(copy -> assertThat(copy.getMergePending()).isFalse());
        }
    }

    @Test
    void aPendingCopyWrittenAgainByTheMergeWorkerIsAnOrdinaryCopy() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            FileEvent pending = concurrentEditsOf(driver, "notes.txt").getFirst();

            // when the merge worker gives up and writes the copy again, as it is, under its own counter
            driver.submit(aBatch().from(new BatchBuilder.Device("dev-cumulus", "Cumulus"))
                    .upsert(pending.getFileId().toString(), pending.getPath().toString(),
                            vector("dev-laptop", 1, "dev-phone", 1, "dev-cumulus", 1), chunk("phone"))
                    .build());

            // then the copy stays where it is, now shown
            assertThat(driver.events()).singleElement().satisfies(released -> {
                assertThat(released.getFileId()).isEqualTo(pending.getFileId());
                assertThat(released.getPath()).isEqualTo(pending.getPath());
                assertThat(released.getChunks()).isEqualTo(pending.getChunks());
                assertThat(released.getMergePending()).isFalse();
            });
        }
    }
}
