package io.cumulus.notifier;

import java.util.List;

import io.cumulus.schemas.ChangeOutcome;

/**
 * Hears every change outcome the notifier reads, for another part of the same process that needs to
 * know when batches are decided (the intake's back-pressure, docs/decisions/0020). The notifier
 * knows nothing of that part: the process that assembles both connects them.
 * <ul>
 * <li>{@link #reading()}: the reader is positioned at the end of the outcomes topic; every outcome
 * produced from now on reaches {@link #decided}.</li>
 * <li>{@link #decided}: outcomes as read, in each partition's order.</li>
 * <li>{@link #stopped()}: the reader stopped, however it stopped; no more outcomes come.</li>
 * </ul>
 * Called on the reader's thread: an implementation must be quick and must not throw.
 */
public interface OutcomeListener {
    void reading();

    void decided(List<ChangeOutcome> outcomes);

    void stopped();
}
