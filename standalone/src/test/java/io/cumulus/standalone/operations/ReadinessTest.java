package io.cumulus.standalone.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

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
    void aStoreThatFailsMakesEveryServiceNeedingItNotReadyAndSaysWhy() {
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
            assertThat(report.json()).contains("{\"store\":\"postgresql\",\"status\":\"DOWN\",\"why\":"
                    + "\"java.sql.SQLException: Connection refused: \\\"127.0.0.1:5432\\\"\"}")
                    .contains("{\"store\":\"reconciler-streams\",\"status\":\"DOWN\",\"why\":\"Kafka Streams state REBALANCING\"}")
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
            assertThat(report.json()).contains("\"why\":\"no answer within 3 s\"");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(Readiness.TIMEOUT.toSeconds() + 2);
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
