package io.cumulus.notifier;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;

/**
 * The connected sessions, indexed by device and by namespace, and the routing of one poll's records
 * to them: a file event tells every session of an account that is a member of its namespace that the
 * namespace changed (one push per namespace and poll, with the highest sequence number), and an
 * outcome goes to the sessions of the device that submitted the batch. Sends go through each
 * session's {@link SessionOutbox}, so a slow or dead client is dropped and never delays the others.
 */
public final class NotificationFanout implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotificationFanout.class);

    private final Executor sendExecutor;
    private final ExecutorService ownedExecutor;
    private final Duration sendTimeLimit;
    private final int bufferSizeLimit;
    private final Map<String, Subscriber> bySession = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscriber>> byDevice = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscriber>> byNamespace = new ConcurrentHashMap<>();

    /** Sends on virtual threads; closing the fanout stops them. */
    public NotificationFanout(Duration sendTimeLimit, int bufferSizeLimit) {
        this(Executors.newVirtualThreadPerTaskExecutor(), sendTimeLimit, bufferSizeLimit);
    }

    NotificationFanout(Executor sendExecutor, Duration sendTimeLimit, int bufferSizeLimit) {
        this.sendExecutor = sendExecutor;
        this.ownedExecutor = sendExecutor instanceof ExecutorService s ? s : null;
        this.sendTimeLimit = sendTimeLimit;
        this.bufferSizeLimit = bufferSizeLimit;
    }

    /** What one poll brought, reduced to pushes. */
    public record Pushes(int namespaceChanges, int outcomes, int frames) {
    }

    private record Subscriber(String sessionId, ConnectedDevice device, SessionOutbox outbox) {
    }

    public synchronized void register(WebSocketSession session, ConnectedDevice device) {
        WebSocketSession safe = new ConcurrentWebSocketSessionDecorator(session, (int) sendTimeLimit.toMillis(),
                bufferSizeLimit);
        Subscriber s = new Subscriber(session.getId(), device,
                new SessionOutbox(safe, sendExecutor, sendTimeLimit, bufferSizeLimit, this::dropped));
        bySession.put(s.sessionId(), s);
        add(byDevice, key(device.deviceId()), s);
        for (String namespace : device.namespaces()) {
            add(byNamespace, key(namespace), s);
        }
        log.info("device connected device={} account={} session={} namespaces={}", device.deviceId(),
                device.accountId(), s.sessionId(), device.namespaces().size());
    }

    public synchronized void unregister(String sessionId) {
        Subscriber s = bySession.remove(sessionId);
        if (s == null) {
            return;
        }
        remove(byDevice, key(s.device().deviceId()), s);
        for (String namespace : s.device().namespaces()) {
            remove(byNamespace, key(namespace), s);
        }
        log.info("device disconnected device={} session={}", s.device().deviceId(), sessionId);
    }

    /** Sends a frame to one session, behind whatever is already waiting for it. */
    public void reply(String sessionId, String frame) {
        Subscriber s = bySession.get(sessionId);
        if (s != null) {
            s.outbox().offer(frame);
        }
    }

    public Pushes publish(List<FileEvent> events, List<ChangeOutcome> outcomes) {
        Map<String, Long> newest = new LinkedHashMap<>();
        for (FileEvent e : events) {
            newest.merge(e.getNamespaceId(), e.getSeq(), Math::max);
        }
        int frames = 0;
        for (Map.Entry<String, Long> changed : newest.entrySet()) {
            String frame = PushMessages.namespaceChanged(changed.getKey(), changed.getValue());
            for (Subscriber s : byNamespace.getOrDefault(key(changed.getKey()), Set.of())) {
                s.outbox().offer(frame);
                frames++;
            }
        }
        for (ChangeOutcome o : outcomes) {
            Set<Subscriber> device = byDevice.getOrDefault(key(o.getDeviceId()), Set.of());
            if (device.isEmpty()) {
                continue;
            }
            String frame = PushMessages.outcome(o);
            for (Subscriber s : device) {
                if (!s.device().outcomes()) {
                    continue; // it asked for none at the handshake
                }
                s.outbox().offer(frame);
                frames++;
            }
        }
        return new Pushes(newest.size(), outcomes.size(), frames);
    }

    /** The accounts with at least one open session here. */
    public Set<String> connectedAccounts() {
        Set<String> accounts = new java.util.HashSet<>();
        bySession.values().forEach(s -> accounts.add(s.device().accountId()));
        return accounts;
    }

    /**
     * Makes the account's open sessions hear of exactly these namespaces from now on: a share it joined
     * since they connected, and no longer one it left or was removed from. Each session is added to its
     * new namespaces before it is taken from its old ones, so a namespace it keeps misses no push.
     *
     * @return how many sessions changed
     */
    public synchronized int resubscribe(String accountId, Set<String> namespaces) {
        Set<String> now = namespaces.stream().map(NotificationFanout::key).collect(java.util.stream.Collectors.toSet());
        int changed = 0;
        for (Subscriber old : List.copyOf(bySession.values())) {
            Set<String> before = old.device().namespaces().stream().map(NotificationFanout::key)
                    .collect(java.util.stream.Collectors.toSet());
            if (!key(old.device().accountId()).equals(key(accountId)) || before.equals(now)) {
                continue;
            }
            ConnectedDevice device = new ConnectedDevice(old.device().deviceId(), old.device().accountId(), namespaces,
                    old.device().outcomes());
            Subscriber renewed = new Subscriber(old.sessionId(), device, old.outbox());
            bySession.put(renewed.sessionId(), renewed);
            add(byDevice, key(device.deviceId()), renewed);
            remove(byDevice, key(device.deviceId()), old);
            for (String namespace : device.namespaces()) {
                add(byNamespace, key(namespace), renewed);
            }
            for (String namespace : old.device().namespaces()) {
                remove(byNamespace, key(namespace), old);
            }
            changed++;
            log.info("device namespaces changed device={} account={} session={} namespaces={}", device.deviceId(),
                    device.accountId(), renewed.sessionId(), namespaces.size());
        }
        return changed;
    }

    /** The devices with at least one open session here. */
    public Set<String> connectedDevices() {
        Set<String> devices = new java.util.HashSet<>();
        bySession.values().forEach(s -> devices.add(s.device().deviceId()));
        return devices;
    }

    /** Closes every session of the device with this status; it receives nothing more. */
    public void disconnect(String deviceId, CloseStatus status) {
        for (Subscriber s : Set.copyOf(byDevice.getOrDefault(key(deviceId), Set.of()))) {
            unregister(s.sessionId());
            WebSocketSession session = s.outbox().session();
            // Closing may wait for a send under way to give up; never on the caller's thread.
            sendExecutor.execute(() -> {
                try {
                    session.close(status);
                } catch (IOException | RuntimeException e) {
                    // the connection is already broken: nothing more to release
                }
            });
        }
    }

    public int connectedSessions() {
        return bySession.size();
    }

    @Override
    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    private void dropped(SessionOutbox outbox, String reason) {
        WebSocketSession session = outbox.session();
        log.warn("slow or dead client dropped session={} reason={}", session.getId(), reason);
        unregister(session.getId());
        // Closing may wait for the stuck send to give up; never on the caller's thread.
        sendExecutor.execute(() -> {
            try {
                session.close(CloseStatus.SESSION_NOT_RELIABLE);
            } catch (IOException | RuntimeException e) {
                // the connection is already broken: nothing more to release
            }
        });
    }

    private static void add(Map<String, Set<Subscriber>> index, String key, Subscriber s) {
        index.compute(key, (k, set) -> {
            Set<Subscriber> subscribers = set == null ? ConcurrentHashMap.newKeySet() : set;
            subscribers.add(s);
            return subscribers;
        });
    }

    private static void remove(Map<String, Set<Subscriber>> index, String key, Subscriber s) {
        index.computeIfPresent(key, (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /** Ids are uuids; their text may come in either case from different writers. */
    private static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}
