package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code ops/}: the Grafana dashboard and the Prometheus alert rules are built on the series
 * docs/metrics.md lists (the integration test {@code EveryProcessIsWatchedIT} checks that a running
 * Cumulus exports each of them), and cover what an operator watches.
 */
class OperationsFilesTest {

    @Test
    void theQueryParserFindsTheSeriesAndNothingElse() {
        assertThat(OpsQueries.seriesIn("histogram_quantile(0.99, sum by (le) (rate(cumulus_sync_duration_seconds_bucket"
                + "{until=\"applied\"}[5m]))) > 1")).containsExactly("cumulus_sync_duration_seconds_bucket");
        assertThat(OpsQueries.seriesIn("sum(rate(a_total{result!=\"refused\", x=~\"b.*\"}[10m])) / sum without (instance)"
                + " (rate(a_total[10m])) > 0.2 and on (group) max(b_records) > 100e9 unless c offset 5m"))
                .containsExactly("a_total", "b_records", "c");
        assertThat(OpsQueries.seriesIn("up{job=~\"cumulus.*\"} == 0")).containsExactly("up");
    }

    @Test
    void everySeriesTheDashboardAndTheAlertsQueryIsDocumented() throws IOException {
        String doc = Files.readString(OpsQueries.root().resolve("docs/metrics.md"));
        Set<String> names = OpsQueries.exportedNamesQueried();
        assertThat(names).hasSizeGreaterThan(10);
        for (String name : names) {
            String family = name.replaceAll("_(bucket|count|sum)$", "");
            assertThat(doc).as("docs/metrics.md documents %s", name).containsAnyOf("`" + name + "`", "`" + family + "`");
        }
    }

    @Test
    void theDashboardShowsEveryIndicator() {
        List<String> exprs = OpsQueries.dashboardExpressions();
        Map<String, String> indicators = Map.of(
                "sync duration quantiles", "histogram_quantile(0.99, sum by (le) (rate(cumulus_sync_duration_seconds_bucket",
                "conflicts", "cumulus_conflicts_total",
                "merges", "cumulus_merges_total",
                "dedup", "cumulus_dedup_hits_total",
                "success rate", "http_server_requests_seconds_count",
                "outbox lag", "cumulus_outbox_oldest_unpublished_age_seconds",
                "consumer lag", "cumulus_consumer_lag_records",
                "reconciler commit latency", "stage=\"reconciler-commit\"",
                "GC backlog", "cumulus_gc_bytes{state=\"unreferenced\"}",
                "readiness", "cumulus_service_ready");
        indicators.forEach((indicator, query) ->
                assertThat(exprs).as("a panel shows the %s", indicator).anyMatch(e -> e.contains(query)));
        assertThat(OpsQueries.dashboard().get("uid").asString()).isEqualTo("cumulus-overview");
        for (var panel : OpsQueries.dashboard().get("panels")) {
            assertThat(panel.get("datasource").get("uid").asString()).isEqualTo("${datasource}");
            assertThat(panel.get("targets")).isNotEmpty();
        }
    }

    @Test
    void theAlertsCoverStallsLagLatencyErrorsGarbageAndReadiness() {
        List<Map<String, Object>> rules = OpsQueries.alertRules();
        assertThat(rules).extracting(r -> r.get("alert")).contains("CumulusPipelineStalled", "CumulusConsumerLagGrowing",
                "CumulusOutboxLagHigh", "CumulusSyncP99OverTarget", "CumulusErrorRateHigh", "CumulusGcBacklogHigh",
                "CumulusServiceNotReady");
        for (Map<String, Object> rule : rules) {
            assertThat(rule).as("%s", rule.get("alert")).containsKeys("expr", "for", "labels", "annotations");
            assertThat(((Map<?, ?>) rule.get("labels")).containsKey("severity")).as("%s has a severity", rule.get("alert")).isTrue();
            assertThat(((Map<?, ?>) rule.get("annotations")).containsKey("summary")).as("%s has a summary", rule.get("alert")).isTrue();
        }
    }

    @Test
    void theAlertRulesPassPromtoolWhereItIsInstalled() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool is not installed (apt package prometheus)");
        Process check = new ProcessBuilder(promtool.toString(), "check", "rules",
                OpsQueries.root().resolve("ops/prometheus/alerts.yml").toString()).redirectErrorStream(true).start();
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.exitValue()).as(output).isZero();
    }
}
