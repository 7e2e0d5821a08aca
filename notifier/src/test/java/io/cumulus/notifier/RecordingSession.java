package io.cumulus.notifier;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A WebSocket session of this process that records the frames sent to it. It can also stand for a
 * client that stops reading (every send waits until released) or whose connection is broken.
 */
final class RecordingSession implements WebSocketSession {
    private final String id;
    private final List<String> frames = new CopyOnWriteArrayList<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final CountDownLatch released;
    private final boolean broken;
    private volatile CloseStatus closeStatus;

    private RecordingSession(String id, CountDownLatch released, boolean broken) {
        this.id = id;
        this.released = released;
        this.broken = broken;
    }

    static RecordingSession open(String id) {
        return new RecordingSession(id, new CountDownLatch(0), false);
    }

    /** A client that reads nothing until {@link #release()}. */
    static RecordingSession stalled(String id) {
        return new RecordingSession(id, new CountDownLatch(1), false);
    }

    static RecordingSession broken(String id) {
        return new RecordingSession(id, new CountDownLatch(0), true);
    }

    List<String> frames() {
        return List.copyOf(frames);
    }

    CloseStatus closeStatus() {
        return closeStatus;
    }

    void release() {
        released.countDown();
    }

    @Override
    public void sendMessage(WebSocketMessage<?> message) throws IOException {
        if (broken) {
            throw new IOException("connection reset");
        }
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        frames.add((String) message.getPayload());
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public URI getUri() {
        return URI.create("ws://127.0.0.1/v1/notify");
    }

    @Override
    public HttpHeaders getHandshakeHeaders() {
        return new HttpHeaders();
    }

    @Override
    public Map<String, Object> getAttributes() {
        return attributes;
    }

    @Override
    public Principal getPrincipal() {
        return null;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return null;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return null;
    }

    @Override
    public String getAcceptedProtocol() {
        return null;
    }

    @Override
    public void setTextMessageSizeLimit(int messageSizeLimit) {
    }

    @Override
    public int getTextMessageSizeLimit() {
        return 64 * 1024;
    }

    @Override
    public void setBinaryMessageSizeLimit(int messageSizeLimit) {
    }

    @Override
    public int getBinaryMessageSizeLimit() {
        return 64 * 1024;
    }

    @Override
    public List<WebSocketExtension> getExtensions() {
        return List.of();
    }

    @Override
    public boolean isOpen() {
        return closeStatus == null;
    }

    @Override
    public void close() {
        close(CloseStatus.NORMAL);
    }

    @Override
    public void close(CloseStatus status) {
        closeStatus = status;
        released.countDown();
    }
}
