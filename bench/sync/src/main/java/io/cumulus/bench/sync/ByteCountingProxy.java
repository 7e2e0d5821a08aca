package io.cumulus.bench.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on 127.0.0.1 that counts the bytes it carries in each direction: what a device sends
 * (towards the target) and what it receives (from the target). TCP payload only, no headers.
 */
final class ByteCountingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ByteCountingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Bytes carried since the last {@link #reset()}: towards the target, and back. */
    Traffic traffic() {
        return new Traffic(sent.get(), received.get());
    }

    /** Returns once none of {@code proxies} has carried a byte for {@code quiet} (waiting at most a minute). */
    static void awaitQuiet(Collection<ByteCountingProxy> proxies, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = proxies.stream().mapToLong(p -> p.traffic().total()).sum();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(50);
        }
    }

    void reset() {
        sent.set(0);
        received.set(0);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket device;
            try {
                device = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                device.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                open.add(device);
                open.add(target);
                Thread.ofVirtual().start(() -> pump(device, target, sent));
                Thread.ofVirtual().start(() -> pump(target, device, received));
            } catch (IOException e) {
                closeQuietly(device);
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                counter.addAndGet(n);
            }
        } catch (IOException e) {
            // the connection ended on either side
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        open.forEach(this::closeQuietly);
    }

    /** Bytes in each direction: {@code sent} by the dialing end, {@code received} by it. */
    record Traffic(long sent, long received) {
        long total() {
            return sent + received;
        }

        Traffic reversed() {
            return new Traffic(received, sent);
        }

        Traffic plus(Traffic other) {
            return new Traffic(sent + other.sent, received + other.received);
        }
    }
}
