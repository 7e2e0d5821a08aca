package io.cumulus.schemas;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * Where a change batch's time goes, stage by stage, as histograms every service of the pipeline
 * records into, whichever process it runs in. They live in Micrometer's global registry, which the
 * API's registry joins (Spring Boot adds its registries to it), so a standalone process exports them
 * all at {@code /actuator/prometheus} as {@code cumulus_pipeline_stage_seconds{stage=...}}.
 *
 * <p>The stages, in flow order:
 * <ul>
 *   <li>{@code intake}: the accepting transaction (checks, batch and outbox rows, commit);
 *   <li>{@code wal-to-relay}: from the transaction's commit to the relay holding its row;
 *   <li>{@code relay-publish}: from the relay holding rows to Kafka acknowledging them;
 *   <li>{@code relay-to-reconciler}: from the relay's send to the reconciler deciding the batch;
 *   <li>{@code reconcile}: the reconciler deciding the batch and recording and sending its results;
 *   <li>{@code reconciler-commit}: one commit of the reconciler's transaction (outputs become visible);
 *   <li>{@code accepted-to-projected}: from acceptance to the projector's write of the read model;
 *   <li>{@code accepted-to-pushed}: from acceptance to the notifier's push to the devices.
 * </ul>
 * Times measured across stages come from clocks of one machine, or of machines in step (NTP): a
 * negative difference counts as zero.
 */
public final class PipelineStages {
    public static final Timer INTAKE = stage("intake");
    public static final Timer WAL_TO_RELAY = stage("wal-to-relay");
    public static final Timer RELAY_PUBLISH = stage("relay-publish");
    public static final Timer RELAY_TO_RECONCILER = stage("relay-to-reconciler");
    public static final Timer RECONCILE = stage("reconcile");
    public static final Timer RECONCILER_COMMIT = stage("reconciler-commit");
    public static final Timer ACCEPTED_TO_PROJECTED = stage("accepted-to-projected");
    public static final Timer ACCEPTED_TO_PUSHED = stage("accepted-to-pushed");

    private PipelineStages() {
    }

    private static Timer stage(String name) {
        return Timer.builder("cumulus.pipeline.stage")
                .description("Time a change batch spends in one stage of the pipeline")
                .tag("stage", name)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(Metrics.globalRegistry);
    }

    /** Records the time from {@code sinceEpochMillis} (another stage's wall-clock stamp) until now. */
    public static void sinceEpoch(Timer stage, long sinceEpochMillis) {
        stage.record(Math.max(0, System.currentTimeMillis() - sinceEpochMillis), TimeUnit.MILLISECONDS);
    }

    /** Records the time from {@code startNanos} ({@link System#nanoTime()} in this process) until now. */
    public static void sinceNanos(Timer stage, long startNanos) {
        stage.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
