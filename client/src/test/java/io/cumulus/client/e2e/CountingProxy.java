package io.cumulus.client.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/** A TCP relay in front of the server that counts the payload bytes each way: one leg of the wire, as bench/sync counts it. */
final class CountingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final URI target;
    private final AtomicLong up = new AtomicLong();
    private final AtomicLong down = new AtomicLong();

    CountingProxy(URI target) {
        this.target = target;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().start(this::accept);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Bytes from the client to the server and back, since the last reset. */
    long total() {
        return up.get() + down.get();
    }

    String describe() {
        return (up.get() + down.get()) + " bytes (" + up.get() + " to the server, " + down.get() + " back)";
    }

    void reset() {
        up.set(0);
        down.set(0);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getHost(), target.getPort());
                Thread.ofVirtual().start(() -> pump(client, server, up));
                Thread.ofVirtual().start(() -> pump(server, client, down));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to, AtomicLong counter) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                counter.addAndGet(n);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException gone) {
            // one side closed: close both below
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
