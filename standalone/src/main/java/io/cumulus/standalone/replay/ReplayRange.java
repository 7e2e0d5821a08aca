package io.cumulus.standalone.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code admin replay} is asked to re-publish: the records of {@code topic} (one partition, or
 * all) from {@code from} (included) to {@code to} (excluded), each an offset or a time, into
 * {@code into}.
 */
record ReplayRange(String topic, Bound from, Bound to, String into, OptionalInt partition) {

    /** Where a range starts or ends: an offset in every partition, or the first record at or after a time. */
    sealed interface Bound permits Offset, Time {
        static Bound parse(String option, String text) {
            if (text.matches("\\d{1,18}")) {
                return new Offset(Long.parseLong(text));
            }
            try {
                return new Time(Instant.parse(text));
            } catch (DateTimeParseException e) {
                throw new BadReplay(option + " '" + text + "' is neither an offset (0, 1234) nor a time (2026-12-05T10:00:00Z)");
            }
        }
    }

    record Offset(long offset) implements Bound {
    }

    record Time(Instant at) implements Bound {
    }

    /** A replay refused before anything is published: bad usage, a forbidden target, a missing topic. */
    static final class BadReplay extends RuntimeException {
        BadReplay(String message) {
            super(message);
        }
    }

    ReplayRange {
        if (from instanceof Offset f && to instanceof Offset t && f.offset() > t.offset()
                || from instanceof Time f2 && to instanceof Time t2 && f2.at().isAfter(t2.at())) {
            throw new BadReplay("--from is after --to: nothing lies between them");
        }
        refuseCumulusTopic(into);
    }

    /**
     * Cumulus's own topics (its public ones, {@code cumulus.*}, and its internal ones, {@code cumulus-*})
     * and Kafka's ({@code __*}) are never a target: Cumulus's services consume them, and a record
     * published twice there would be reconciled, counted or projected again.
     */
    static void refuseCumulusTopic(String into) {
        if (into.startsWith("cumulus.") || into.startsWith("cumulus-") || into.startsWith("__")) {
            throw new BadReplay("refusing to publish into " + into + ": Cumulus's services read it, and would process"
                    + " the replayed records again; replay into a topic of the consumer's own (--into TOPIC)");
        }
    }

    Optional<Integer> onlyPartition() {
        return partition.isPresent() ? Optional.of(partition.getAsInt()) : Optional.empty();
    }
}
