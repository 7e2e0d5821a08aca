package io.cumulus.bench;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

/**
 * The server's own per-stage histograms ({@code cumulus.pipeline.stage}, see
 * {@code io.cumulus.schemas.PipelineStages}), read from the in-process registry: where the time of
 * the run's batches went. Percentiles are the upper bound of the histogram bucket they fall in.
 */
final class StageReport {
    private StageReport() {
    }

    static void print() {
        System.out.println();
        System.out.println("per stage (server histograms, warm-up included; bucket upper bounds):");
        for (Timer timer : Metrics.globalRegistry.find("cumulus.pipeline.stage").timers()) {
            HistogramSnapshot s = timer.takeSnapshot();
            System.out.printf("  %-22s n=%-7d mean=%8.1f ms  p50<=%8.1f ms  p99<=%8.1f ms  max=%8.1f ms%n",
                    timer.getId().getTag("stage"), s.count(), s.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                    at(s, 0.5), at(s, 0.99), s.max(java.util.concurrent.TimeUnit.MILLISECONDS));
        }
    }

    /** The in-process broker's own request times (Kafka's RequestMetrics MBeans), for the requests a commit makes. */
    static void printBroker() {
        javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        System.out.println("broker request times (mean / p99 ms; count):");
        for (String request : java.util.List.of("Produce", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit", "EndTxn",
                "WriteTxnMarkers", "Fetch", "FindCoordinator", "InitProducerId")) {
            StringBuilder line = new StringBuilder(String.format("  %-20s", request));
            for (String part : java.util.List.of("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs",
                    "ResponseQueueTimeMs", "ResponseSendTimeMs")) {
                try {
                    javax.management.ObjectName name = new javax.management.ObjectName(
                            "kafka.network:type=RequestMetrics,name=" + part + ",request=" + request);
                    line.append(String.format(" %s=%.1f/%.1f", part.replace("TimeMs", ""), (Double) mbs.getAttribute(name, "Mean"),
                            (Double) mbs.getAttribute(name, "99thPercentile")));
                    if (part.equals("TotalTimeMs")) {
                        line.append(" n=").append(mbs.getAttribute(name, "Count"));
                    }
                } catch (Exception e) {
                    line.append(" ").append(part).append("=?");
                }
            }
            System.out.println(line);
        }
    }

    private static double at(HistogramSnapshot s, double quantile) {
        double wanted = quantile * s.count();
        for (CountAtBucket b : s.histogramCounts()) {
            if (b.count() >= wanted) {
                return b.bucket(java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }
}
