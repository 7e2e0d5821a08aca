package io.cumulus.standalone.rebuild;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where one rebuild stands, as {@code GET /v1/admin/rebuilds/{id}} answers it.
 *
 * @param id               the rebuild's id
 * @param projection       the projection's command-line name
 * @param generation       the number of the generation being built
 * @param location         where that generation lives ("schema readmodel_g2")
 * @param phase            see {@link Phase}
 * @param partitions       records applied and to apply, per topic-partition
 * @param done             records applied, all partitions
 * @param total            records to apply, all partitions (the end offsets, which grow while writes go on)
 * @param recordsPerSecond the recent apply rate
 * @param secondsLeft      the estimate at that rate; empty until there is a rate
 * @param error            why it failed, when it did
 */
public record RebuildStatus(String id, String projection, int generation, String location, Phase phase,
        List<PartitionProgress> partitions, long done, long total, double recordsPerSecond, Optional<Long> secondsLeft,
        Optional<String> error, Instant startedAt, Optional<Instant> finishedAt) {

    public RebuildStatus {
        partitions = List.copyOf(partitions);
    }

    /** What a rebuild is doing. */
    public enum Phase {
        /** Reading the topics up to the end offsets they had when the rebuild started. */
        BUILDING("building"),
        /** Reading what was written since, until the lag is small enough to switch. */
        CATCHING_UP("catching-up"),
        /** Holding the live worker off, applying the last records and switching. */
        SWITCHING("switching"),
        /** The new generation is the live one. */
        DONE("done"),
        /** Stopped on request; the new generation was dropped, the live one never touched. */
        ABORTED("aborted"),
        /** Stopped by an error; the new generation was dropped, the live one never touched. */
        FAILED("failed");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** The name in the API and on the command line. */
        public String label() {
            return label;
        }

        public boolean finished() {
            return this == DONE || this == ABORTED || this == FAILED;
        }
    }

    /** Records applied ({@code done}) of one partition, against its end offset ({@code total}). */
    public record PartitionProgress(String topic, int partition, long done, long total) {
    }
}
