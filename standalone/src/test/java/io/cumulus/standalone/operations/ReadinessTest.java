package io.cumulus.standalone.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void aServiceIsReadyWhenEveryStoreItNeedsAnswers() {
        try (Readiness readiness = new Readiness()) {
            readiness.store("postgresql", Optional::empty).store("kafka", Optional::empty)
                    .service("relay", List.of("postgresql", "kafka"));

            Readiness.Report report = readiness.check();

            assertThat(report.ready()).isTrue();
            assertThat(report.json()).isEqualTo("{\"status\":\"UP\",\"services\":[{\"service\":\"relay\",\"status\":\"UP\","
                    + "\"stores\":[{\"store\":\"postgresql\",\"status\":\"UP\"},{\"store\":\"kafka\",\"status\":\"UP\"}]}]}");
        }
    }

    @Test
    void aStoreThatFailsMakesEveryServiceNeedingItNotReadyAndSaysWhyInTheReportButNotInTheJson() {
        try (Readiness readiness = new Readiness()) {
            readiness.store("postgresql", () -> {
                throw new SQLException("Connection refused: \"127.0.0.1:5432\"");
            }).store("kafka", Optional::empty).store("reconciler-streams", () -> Optional.of("Kafka Streams state REBALANCING"))
                    .service("gc", List.of("postgresql", "kafka")).service("reconciler", List.of("kafka", "reconciler-streams"))
                    .service("other", List.of("kafka"));

            Readiness.Report report = readiness.check();

            assertThat(report.ready()).isFalse();
            assertThat(report.services()).extracting(Readiness.ServiceStatus::service, Readiness.ServiceStatus::ready)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("gc", false),
                            org.assertj.core.groups.Tuple.tuple("reconciler", false),
                            org.assertj.core.groups.Tuple.tuple("other", true));
            assertThat(report.services().get(0).stores().get(0).why())
                    .hasValue("java.sql.SQLException: Connection refused: \"127.0.0.1:5432\"");
            assertThat(report.json()).contains("{\"store\":\"postgresql\",\"status\":\"DOWN\"}")
                    .contains("{\"store\":\"reconciler-streams\",\"status\":\"DOWN\"}")
                    .doesNotContain("why").doesNotContain("127.0.0.1").doesNotContain("REBALANCING")
                    .startsWith("{\"status\":\"DOWN\"");
        }
    }

    @Test
    void aStoreThatDoesNotAnswerInTimeIsDownAndTheCheckDoesNotHang() {
        CountDownLatch never = new CountDownLatch(1);
        try (Readiness readiness = new Readiness()) {
            readiness.store("blob-store", () -> {
                never.await();
                return Optional.empty();
            }).service("api", List.of("blob-store"));

            long start = System.nanoTime();
            Readiness.Report report = readiness.check();

            assertThat(report.ready()).isFalse();
            assertThat(report.services().get(0).stores().get(0).why()).hasValue("no answer within 3 s");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(Readiness.TIMEOUT.toSeconds() + 2);
        } finally {
            never.countDown();
        }
    }

    @Test
    void manyCallersShareOneCheckAndAStoreStillProbingIsNotProbedAgain() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (Readiness readiness = new Readiness()) {
            readiness.store("postgresql", () -> {
                probes.incrementAndGet();
                release.await();
                return Optional.empty();
            }).service("api", List.of("postgresql"));
            ExecutorService callers = Executors.newFixedThreadPool(20);
            try {
                List<Future<Readiness.Report>> reports = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    reports.add(callers.submit(readiness::check));
                }
                for (Future<Readiness.Report> report : reports) {
                    assertThat(report.get(Readiness.TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS).ready()).isFalse();
                }
                assertThat(probes.get()).isEqualTo(1);

                // The cached report answers; after it expires, the probe that never returned is not started again.
                assertThat(readiness.check().ready()).isFalse();
                Thread.sleep(Readiness.FRESH.toMillis() + 100);
                Readiness.Report again = readiness.check();
                assertThat(again.services().get(0).stores().get(0).why()).hasValue("the previous probe has not answered yet");
                assertThat(probes.get()).isEqualTo(1);

                release.countDown();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(readiness.check().ready()).isTrue());
                assertThat(probes.get()).isEqualTo(2);
            } finally {
                release.countDown();
                callers.shutdownNow();
            }
        }
    }

    @Test
    void aServiceCannotNeedAStoreNobodyProbes() {
        try (Readiness readiness = new Readiness()) {
            assertThatThrownBy(() -> readiness.service("api", List.of("cassandra")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store cassandra");
        }
    }
}
