package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;

/**
 * The chunk reference counter (service {@code gc}) is one of the services a server starts, and
 * {@link StandaloneServer#close()} stops it with the others rather than leaving its poll loop behind.
 */
class TheReferenceCounterRunsAsLongAsTheServerIT {
    private static final String COUNTER_THREAD = "cumulus-chunk-refs";

    @Test
    void aServerStartsItsReferenceCounterAndStopsItWhenClosed() {
        // given the counters already running in this JVM (another test's server)
        Set<Thread> before = counterThreads();
        PostgresConnection pg = TestServers.freshDatabase();
        Path dataDir = RunningCumulus.workDir("counter-");

        // when a server with every service starts
        StandaloneServer server = StandaloneServer.start(StandaloneSettings.from(List.of(
                "--data-dir=" + dataDir, "--port=0", "--kafka-port=0", "--postgres-url=" + pg.jdbcUrl(),
                "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password()), Map.of()), line -> { });
        Set<Thread> started;
        try {
            // then it runs one counter of its own
            started = counterThreads();
            started.removeAll(before);
            assertThat(started).hasSize(1).allMatch(Thread::isAlive);
        } finally {
            server.close();
        }

        // and once it is closed, that counter has stopped
        assertThat(started).noneMatch(Thread::isAlive);
    }

    private static Set<Thread> counterThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(COUNTER_THREAD))
                .collect(Collectors.toSet());
    }
}
