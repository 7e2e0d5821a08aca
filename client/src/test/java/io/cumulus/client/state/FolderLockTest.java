package io.cumulus.client.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer of a folder at a time: a second one waits until the first lets go; the holder may take it again. */
class FolderLockTest {
    @TempDir
    Path folder;

    @Test
    void aSecondHolderWaitsForTheFirst() throws Exception {
        AtomicBoolean firstHolds = new AtomicBoolean(true);
        CountDownLatch secondTried = new CountDownLatch(1);
        CompletableFuture<Boolean> secondSawFirstHolding;
        try (FolderLock first = FolderLock.hold(folder)) {
            secondSawFirstHolding = CompletableFuture.supplyAsync(() -> {
                secondTried.countDown();
                try (FolderLock second = FolderLock.hold(folder)) {
                    return firstHolds.get();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(secondTried.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(secondSawFirstHolding).as("the second waits while the first holds").isNotDone();
            firstHolds.set(false);
        }
        assertThat(secondSawFirstHolding.get(5, TimeUnit.SECONDS)).as("it got the lock only after the first let go")
                .isFalse();
    }

    @Test
    void theHolderMayTakeItAgainAndAnotherFolderIsFree() throws Exception {
        try (FolderLock outer = FolderLock.hold(folder); FolderLock inner = FolderLock.hold(folder)) {
            CompletableFuture<Void> elsewhere = CompletableFuture.runAsync(() -> {
                try (FolderLock other = FolderLock.hold(folder.resolve("other"))) {
                    // another folder's lock is not this one's
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            elsewhere.get(5, TimeUnit.SECONDS);
        }
        try (FolderLock again = FolderLock.hold(folder)) {
            assertThat(folder.resolve(LocalState.STATE_DIR).resolve("folder.lock")).exists();
        }
    }
}
