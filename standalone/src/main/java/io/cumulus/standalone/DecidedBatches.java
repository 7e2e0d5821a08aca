package io.cumulus.standalone;

import java.util.List;
import java.util.UUID;

import io.cumulus.ingest.backpressure.PipelineLag;
import io.cumulus.notifier.OutcomeListener;
import io.cumulus.schemas.ChangeOutcome;

/**
 * Tells the intake's {@link PipelineLag} which batches the reconciler has decided, from the outcomes
 * the notifier reads in the same process: the notifier already reads every outcome of every
 * partition, so the API learns of decisions without a second reader (docs/decisions/0020). The two
 * modules know nothing of each other; this process connects them.
 */
final class DecidedBatches implements OutcomeListener {
    private final PipelineLag lag;

    DecidedBatches(PipelineLag lag) {
        this.lag = lag;
    }

    @Override
    public void reading() {
        lag.watching();
    }

    @Override
    public void decided(List<ChangeOutcome> outcomes) {
        for (ChangeOutcome outcome : outcomes) {
            UUID batchId;
            try {
                batchId = UUID.fromString(outcome.getBatchId());
            } catch (IllegalArgumentException e) {
                continue; // not a batch id the intake made, so not one it counts
            }
            lag.decided(batchId, outcome.getChangeIndex());
        }
    }

    @Override
    public void stopped() {
        lag.notWatching();
    }
}
