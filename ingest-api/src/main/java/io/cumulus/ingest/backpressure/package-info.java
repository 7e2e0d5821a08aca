/**
 * Back-pressure at the intake: the batches this API instance accepted and the reconciler has not
 * decided yet ({@link io.cumulus.ingest.backpressure.PipelineLag}, told of decisions by the
 * process's reader of the outcomes topic), and the gate every device's submission passes first
 * ({@link io.cumulus.ingest.backpressure.BackPressure}), which answers 503 with {@code Retry-After}
 * while the pipeline is past its bounds. Why here, why these bounds and who is never refused:
 * docs/decisions/0020-back-pressure-at-the-intake.md.
 */
package io.cumulus.ingest.backpressure;
