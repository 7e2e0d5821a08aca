package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoresTest {
    private static final String APP = "cumulus-reconciler";

    @TempDir
    Path stateDir;

    @Test
    void storesLeftByAClientThatDidNotStopCleanlyAreRemovedButTheProcessIdentityIsKept() throws IOException {
        // given the local state a crashed client left: two tasks' stores, the process metadata, the lock
        Path app = stateDir.resolve(APP);
        Path store = Files.createDirectories(app.resolve("0_1/rocksdb/file-states"));
        Files.writeString(store.resolve("000010.sst"), "rows");
        Files.createDirectories(app.resolve("0_3/rocksdb"));
        Files.writeString(app.resolve("kafka-streams-process-metadata"), "processId");
        Files.writeString(app.resolve(".lock"), "");

        // when the next client is about to start
        LocalStores.prepare(stateDir, APP);

        // then the tasks are gone (restored from their changelogs), the process keeps its id
        assertThat(app.resolve("0_1")).doesNotExist();
        assertThat(app.resolve("0_3")).doesNotExist();
        assertThat(app.resolve("kafka-streams-process-metadata")).hasContent("processId");
        assertThat(app.resolve(".lock")).exists();
    }

    @Test
    void storesOfAClientThatStoppedCleanlyAreKeptOnceAndTheNextCrashIsSeen() throws IOException {
        // given a client that stopped cleanly
        Path app = stateDir.resolve(APP);
        Path sst = Files.createDirectories(app.resolve("0_0/rocksdb/file-states")).resolve("000010.sst");
        Files.writeString(sst, "rows");
        LocalStores.markCleanStop(stateDir, APP);

        // when the next client starts
        LocalStores.prepare(stateDir, APP);

        // then its stores are kept, and the clean stop is forgotten: a crash of this client shows at the next start
        assertThat(sst).hasContent("rows");
        assertThat(app.resolve(LocalStores.CLEAN_STOP)).doesNotExist();
        LocalStores.prepare(stateDir, APP);
        assertThat(app.resolve("0_0")).doesNotExist();
    }

    @Test
    void aFirstStartFindsNothingToPrepare() {
        LocalStores.prepare(stateDir, APP);
        LocalStores.markCleanStop(stateDir, APP);

        assertThat(stateDir.resolve(APP)).doesNotExist();
    }
}
