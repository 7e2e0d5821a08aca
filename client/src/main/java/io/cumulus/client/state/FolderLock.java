package io.cumulus.client.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer of a synced folder at a time, across processes: a sync round, and a {@code fetch} or
 * {@code open} (which write originals and evict others), each hold the folder's lock while they look
 * at the folder and change it. Without it a round could walk the folder while a fetch puts an original
 * back, read the state after, and take the file's absence for a deletion. An operating-system lock on
 * a file in the folder's state directory orders processes; a lock per folder orders the threads of
 * one process (a file lock belongs to the whole process). The thread that holds it may take it again.
 */
public final class FolderLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_THIS_PROCESS = new ConcurrentHashMap<>();
    private static final Map<Path, FileLock> HELD = new ConcurrentHashMap<>();

    private final Path key;
    private final ReentrantLock lock;

    private FolderLock(Path key, ReentrantLock lock) {
        this.key = key;
        this.lock = lock;
    }

    /** Waits until this thread holds the lock of the synced folder at {@code folder}. */
    public static FolderLock hold(Path folder) throws IOException {
        Path key = folder.toAbsolutePath().normalize();
        ReentrantLock lock = IN_THIS_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            if (lock.getHoldCount() == 1) {
                Path dir = key.resolve(LocalState.STATE_DIR);
                Files.createDirectories(dir);
                FileChannel channel = FileChannel.open(dir.resolve("folder.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                try {
                    HELD.put(key, channel.lock());
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            }
            return new FolderLock(key, lock);
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.getHoldCount() == 1) {
                FileLock held = HELD.remove(key);
                if (held != null) {
                    held.release();
                    held.channel().close();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
