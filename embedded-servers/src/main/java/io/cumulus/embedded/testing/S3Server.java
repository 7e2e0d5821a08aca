package io.cumulus.embedded.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A real S3 API server (s3proxy) on 127.0.0.1 keeping its objects in a directory, for tests and
 * benchmarks. It can be stopped and started again on the same port with the same objects, which is
 * how tests take S3 down. s3proxy is an optional dependency of this module: a module that uses
 * this class declares {@code org.gaul:s3proxy} itself (test scope).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "cumulus-test";
    public static final String SECRET_KEY = "cumulus-test-secret";
    public static final String REGION = "us-east-1";

    private final Path objects;
    private final int port;
    private S3Proxy proxy;

    private S3Server(Path objects, int port) {
        this.objects = objects;
        this.port = port;
    }

    /** A server on a free port, its objects in a new work directory. */
    public static S3Server startNew() {
        Path objects = TestServers.workDir("s3-objects-");
        try {
            Files.createDirectories(objects);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3Server server = new S3Server(objects, freePort());
        server.start();
        return server;
    }

    public synchronized void start() {
        if (proxy != null) {
            return;
        }
        S3Proxy p = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(objects.toString()))
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0)
                .build();
        try {
            p.start();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start on " + endpoint(), e);
        }
        proxy = p;
    }

    /** Stops answering (connections are refused) until {@link #start()}; the objects stay. */
    public synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not stop", e);
        } finally {
            proxy = null;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Where the objects are kept, one directory per bucket. */
    public Path objectsDir() {
        return objects;
    }

    /** The server options that put Cumulus's chunks in {@code bucket} on this server. */
    public java.util.List<String> cumulusOptions(String bucket) {
        return java.util.List.of("--blob-store=s3", "--s3-endpoint=" + endpoint(), "--s3-bucket=" + bucket,
                "--s3-access-key=" + ACCESS_KEY, "--s3-secret-key=" + SECRET_KEY, "--s3-region=" + REGION);
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
