package io.cumulus.standalone;

import java.util.List;
import java.util.Map;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;

/**
 * One standalone Cumulus per test JVM whose chunk collector sweeps every 200 ms with a grace period
 * of one second, so a chunk nothing holds is deleted within seconds; on a Kafka broker of its own and
 * a fresh database. The rebuild tests share it: each waits until its pipeline is idle before it
 * compares stores, and compares whole stores, whatever other tests wrote to them.
 */
final class CollectingCumulus {
    private static StandaloneServer server;

    static synchronized StandaloneServer get() {
        if (server == null) {
            PostgresConnection pg = TestServers.freshDatabase();
            StandaloneSettings settings = StandaloneSettings.from(List.of(
                    "--data-dir=" + TestServers.workDir("standalone-collecting-"), "--port=0", "--kafka-port=0",
                    "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                    "--postgres-password=" + pg.password(), "--gc=on", "--gc-grace=1s", "--gc-interval=200ms"), Map.of());
            server = StandaloneServer.start(settings, line -> System.out.println("[cumulus-collecting] " + line));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    static String adminToken() {
        return StandaloneServer.adminToken(get().dataDir());
    }

    private CollectingCumulus() {
    }
}
