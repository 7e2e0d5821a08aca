package io.cumulus.notifier;

import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * The frames waiting for one WebSocket session, sent in order by one task at a time on the send
 * executor, so the thread that offers them (the Kafka poll loop) never waits for a client. A client
 * that cannot keep up is dropped: when a send has been under way longer than the time limit, or more
 * than the buffer limit of text is waiting, the next offer gives up on the session.
 */
final class SessionOutbox {
    private final WebSocketSession session;
    private final Executor executor;
    private final long sendTimeLimitNanos;
    private final long bufferSizeLimit;
    private final BiConsumer<SessionOutbox, String> onDrop;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingChars = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean dropped = new AtomicBoolean();
    private volatile boolean sending;
    private volatile long sendStartedNanos;

    SessionOutbox(WebSocketSession session, Executor executor, Duration sendTimeLimit, long bufferSizeLimit,
            BiConsumer<SessionOutbox, String> onDrop) {
        this.session = session;
        this.executor = executor;
        this.sendTimeLimitNanos = sendTimeLimit.toNanos();
        this.bufferSizeLimit = bufferSizeLimit;
        this.onDrop = onDrop;
    }

    WebSocketSession session() {
        return session;
    }

    void offer(String frame) {
        if (dropped.get()) {
            return;
        }
        if (sending && System.nanoTime() - sendStartedNanos > sendTimeLimitNanos) {
            drop("send time limit exceeded");
            return;
        }
        if (pendingChars.addAndGet(frame.length()) > bufferSizeLimit) {
            drop("buffer size limit exceeded");
            return;
        }
        pending.add(frame);
        scheduleDrain();
    }

    boolean isDropped() {
        return dropped.get();
    }

    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        try {
            String frame;
            while (!dropped.get() && (frame = pending.poll()) != null) {
                pendingChars.addAndGet(-frame.length());
                sendStartedNanos = System.nanoTime();
                sending = true;
                try {
                    session.sendMessage(new TextMessage(frame));
                } catch (IOException | RuntimeException e) {
                    // The client is gone or misbehaving: its session cannot be trusted with later frames.
                    drop("send failed: " + e);
                    return;
                } finally {
                    sending = false;
                }
            }
        } finally {
            draining.set(false);
        }
        if (!pending.isEmpty() && !dropped.get()) {
            scheduleDrain(); // a frame offered while this drain was finishing
        }
    }

    private void drop(String reason) {
        if (dropped.compareAndSet(false, true)) {
            pending.clear();
            onDrop.accept(this, reason);
        }
    }
}
