package io.cumulus.client.sync;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.state.LocalState;

/**
 * Tells the sync loop when to run a round: a change in the folder (file-system watching), a push
 * from the server (the notifier's WebSocket), or the fallback interval, whichever comes first.
 */
public final class Watcher implements AutoCloseable {
    /**
     * How long the folder must stay quiet after a file event before a round starts: enough for the
     * events of one save (create, write, close, rename come within a few milliseconds) to arrive
     * together, and a burst that keeps coming (a large copy) keeps extending it. A push from the
     * server waits for nothing: its change is already decided.
     */
    static final Duration SETTLE = Duration.ofMillis(40);

    private final Path root;
    private final DeviceConfig device;
    private final Duration interval;
    private final BlockingQueue<String> triggers = new LinkedBlockingQueue<>();
    private final WatchService watch;
    private final Thread watching;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile WebSocket socket;
    private volatile boolean closed;

    private Watcher(Path root, DeviceConfig device, Duration interval) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.device = device;
        this.interval = interval;
        this.watch = FileSystems.getDefault().newWatchService();
        registerTree(this.root);
        this.watching = Thread.ofPlatform().daemon().name("cumulus-watch").start(this::watchLoop);
        connect();
    }

    public static Watcher start(Path root, DeviceConfig device, Duration interval) throws IOException {
        return new Watcher(root, device, interval);
    }

    /**
     * Blocks until something may have changed (or the interval passed). A push starts the round at
     * once; a file event first lets its burst settle ({@link #SETTLE} of quiet).
     */
    public void awaitTrigger() throws InterruptedException {
        if (socket == null || socket.isInputClosed()) {
            connect();
        }
        String first = triggers.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        boolean files = !first.equals("push");
        for (String next; (next = triggers.poll()) != null; ) {
            files |= !next.equals("push");
        }
        if (!files) {
            return;
        }
        while (triggers.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS) != null) {
            // keep draining while events keep coming, so a large copy is one round, not hundreds
        }
    }

    private void registerTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.getFileName() != null && d.getFileName().toString().equals(LocalState.STATE_DIR)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                d.register(watch, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void watchLoop() {
        while (!closed) {
            WatchKey key;
            try {
                key = watch.take();
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                return;
            }
            Path dir = (Path) key.watchable();
            for (var event : key.pollEvents()) {
                if (event.context() instanceof Path name) {
                    Path changed = dir.resolve(name);
                    if (event.kind() == ENTRY_CREATE && Files.isDirectory(changed)) {
                        try {
                            registerTree(changed);
                        } catch (IOException e) {
                            // the directory vanished again: the next round sees what is there
                        }
                    }
                    if (!name.toString().startsWith(io.cumulus.client.scan.FolderScanner.TEMP_PREFIX)) {
                        triggers.offer("fs");
                    }
                } else {
                    triggers.offer("overflow");
                }
            }
            key.reset();
        }
    }

    private void connect() {
        URI server = device.server();
        URI ws = URI.create((server.getScheme().equals("https") ? "wss" : "ws") + "://" + server.getAuthority()
                // Any frame only wakes a round up; a batch's outcomes are polled (BatchSender), so none is sent per change.
                + "/v1/notify?outcomes=false");
        try {
            socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + device.token())
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(ws, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            triggers.offer("push");
                            webSocket.request(1);
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket = null; // the server is down: the interval and the file system still trigger rounds
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            // closing
        }
        watching.interrupt();
        if (socket != null) {
            socket.abort();
        }
    }
}
