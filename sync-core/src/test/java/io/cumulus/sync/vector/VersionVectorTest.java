package io.cumulus.sync.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionVectorTest {

    @Test
    void aLinearChainIsNotAConflictTheNewerWins() {
        // The brief: local {A:3, B:2}, server {A:2, B:2} -> local wins.
        VersionVector local = VersionVector.of("A", 3, "B", 2);
        VersionVector server = VersionVector.of("A", 2, "B", 2);

        assertThat(local.compare(server)).isEqualTo(Causality.DOMINATES);
        assertThat(server.compare(local)).isEqualTo(Causality.DOMINATED);
    }

    @Test
    void independentEditsAreConcurrent() {
        // The brief: local {A:3, B:2}, server {A:2, B:3} -> conflict.
        VersionVector local = VersionVector.of("A", 3, "B", 2);
        VersionVector server = VersionVector.of("A", 2, "B", 3);

        assertThat(local.compare(server)).isEqualTo(Causality.CONCURRENT);
        assertThat(server.compare(local)).isEqualTo(Causality.CONCURRENT);
    }

    @Test
    void aMissingDeviceCountsAsZero() {
        assertThat(VersionVector.of("A", 1).compare(VersionVector.empty())).isEqualTo(Causality.DOMINATES);
        assertThat(VersionVector.of("A", 0)).isEqualTo(VersionVector.empty());
        assertThat(VersionVector.of("A", 1, "B", 0).compare(VersionVector.of("A", 1))).isEqualTo(Causality.EQUAL);
    }

    @Test
    void incrementBumpsOnlyTheEditingDevice() {
        VersionVector v = VersionVector.of("A", 2, "B", 5).increment("A");

        assertThat(v).isEqualTo(VersionVector.of("A", 3, "B", 5));
        assertThat(VersionVector.empty().increment("C")).isEqualTo(VersionVector.of("C", 1));
    }

    @Test
    void mergeTakesTheHigherCounterOfEachDevice() {
        VersionVector merged = VersionVector.of("A", 3, "B", 2).merge(VersionVector.of("A", 2, "B", 3, "C", 1));

        assertThat(merged).isEqualTo(VersionVector.of("A", 3, "B", 3, "C", 1));
    }

    @Test
    void entriesAreSortedByDevice() {
        assertThat(VersionVector.of("z", 1, "a", 2, "m", 3).entries().keySet()).containsExactly("a", "m", "z");
    }

    @Test
    void negativeCountersAndBlankDevicesAreRejected() {
        assertThatThrownBy(() -> VersionVector.of("A", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.of(" ", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvingAConflictGivesAVersionNewerThanBothSides() {
        // given the brief's conflict: local {A:3, B:2}, server {A:2, B:3}
        VersionVector local = VersionVector.of("A", 3, "B", 2);
        VersionVector server = VersionVector.of("A", 2, "B", 3);

        // when device A resolves it
        VersionVector resolved = local.merge(server).increment("A");

        // then
        assertThat(resolved).isEqualTo(VersionVector.of("A", 4, "B", 3));
        assertThat(resolved.compare(local)).isEqualTo(Causality.DOMINATES);
        assertThat(resolved.compare(server)).isEqualTo(Causality.DOMINATES);
    }

    @Test
    void anEditByANewDeviceOnTopOfAVersionIsNewer() {
        VersionVector server = VersionVector.of("A", 2, "B", 2);

        assertThat(server.increment("C").compare(server)).isEqualTo(Causality.DOMINATES);
        assertThat(server.compare(server.increment("C"))).isEqualTo(Causality.DOMINATED);
    }

    @Test
    void incrementingTheLargestCounterThrowsInsteadOfWrapping() {
        VersionVector atMax = VersionVector.of("A", Long.MAX_VALUE);

        assertThatThrownBy(() -> atMax.increment("A")).isInstanceOf(ArithmeticException.class).hasMessageContaining("A");
        assertThat(VersionVector.of("A", VersionVector.MAX_COUNTER).increment("A").counter("A")).isEqualTo(VersionVector.MAX_COUNTER + 1);
    }
}
