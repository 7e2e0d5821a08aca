package io.cumulus.sync.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class VersionVectorProperties {

    @Provide
    Arbitrary<VersionVector> vectors() {
        // Few devices and small counters, so that equal, dominating and concurrent pairs all occur.
        return Arbitraries.maps(Arbitraries.of("A", "B", "C", "D"), Arbitraries.longs().between(0, 3))
                .ofMaxSize(4).map(VersionVector::of);
    }

    @Property
    void compareIsAntisymmetric(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        Causality ab = a.compare(b);
        Causality ba = b.compare(a);
        switch (ab) {
            case EQUAL -> assertThat(ba).isEqualTo(Causality.EQUAL);
            case DOMINATES -> assertThat(ba).isEqualTo(Causality.DOMINATED);
            case DOMINATED -> assertThat(ba).isEqualTo(Causality.DOMINATES);
            case CONCURRENT -> assertThat(ba).isEqualTo(Causality.CONCURRENT);
        }
        assertThat(ab == Causality.EQUAL).isEqualTo(a.equals(b));
    }

    @Property
    void dominanceIsTransitive(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                               @ForAll("vectors") VersionVector c) {
        if (a.dominates(b) && b.dominates(c)) {
            assertThat(a.compare(c)).isEqualTo(Causality.DOMINATES);
        }
    }

    @Property
    void mergeIsTheLeastUpperBound(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                                   @ForAll("vectors") VersionVector upper) {
        VersionVector m = a.merge(b);
        // an upper bound of both ...
        assertThat(m.compare(a)).isIn(Causality.EQUAL, Causality.DOMINATES);
        assertThat(m.compare(b)).isIn(Causality.EQUAL, Causality.DOMINATES);
        // ... and below or equal to every other upper bound
        boolean upperBoundsBoth = upper.compare(a) != Causality.DOMINATED && upper.compare(a) != Causality.CONCURRENT
                && upper.compare(b) != Causality.DOMINATED && upper.compare(b) != Causality.CONCURRENT;
        if (upperBoundsBoth) {
            assertThat(upper.compare(m)).isIn(Causality.EQUAL, Causality.DOMINATES);
        }
    }

    @Property
    void mergeIsCommutativeAndIdempotent(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(a)).isEqualTo(a);
    }

    @Property
    void incrementAlwaysDominates(@ForAll("vectors") VersionVector a) {
        assertThat(a.increment("A").compare(a)).isEqualTo(Causality.DOMINATES);
        assertThat(a.entries()).isEqualTo(VersionVector.of(Map.copyOf(a.entries())).entries());
    }

    @Property
    void compareAgreesWithTheCounterOfEveryDevice(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        // The definition, device by device, as an independent oracle for compare.
        boolean aHasAll = true;
        boolean bHasAll = true;
        for (String device : new String[] {"A", "B", "C", "D"}) {
            aHasAll &= a.counter(device) >= b.counter(device);
            bHasAll &= b.counter(device) >= a.counter(device);
        }
        Causality expected = aHasAll && bHasAll ? Causality.EQUAL
                : aHasAll ? Causality.DOMINATES
                : bHasAll ? Causality.DOMINATED
                : Causality.CONCURRENT;
        assertThat(a.compare(b)).isEqualTo(expected);
        assertThat(a.compare(a)).isEqualTo(Causality.EQUAL);
    }

    @Property
    void aChainOfEditsIsTransitive(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector seenByB,
                                   @ForAll("vectors") VersionVector seenByC,
                                   @ForAll("devices") String editorB, @ForAll("devices") String editorC) {
        // given b is an edit made after seeing a, and c an edit made after seeing b
        VersionVector b = a.merge(seenByB).increment(editorB);
        VersionVector c = b.merge(seenByC).increment(editorC);

        // then
        assertThat(b.compare(a)).isEqualTo(Causality.DOMINATES);
        assertThat(c.compare(b)).isEqualTo(Causality.DOMINATES);
        assertThat(c.compare(a)).isEqualTo(Causality.DOMINATES);
        assertThat(a.compare(c)).isEqualTo(Causality.DOMINATED);
    }

    @Property
    void mergeIsAssociative(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                            @ForAll("vectors") VersionVector c) {
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    }

    @Property
    void anEditAfterMergingConcurrentVersionsDominatesBoth(@ForAll("vectors") VersionVector a,
                                                           @ForAll("vectors") VersionVector b,
                                                           @ForAll("devices") String resolver) {
        VersionVector resolved = a.merge(b).increment(resolver);

        assertThat(resolved.compare(a)).isEqualTo(Causality.DOMINATES);
        assertThat(resolved.compare(b)).isEqualTo(Causality.DOMINATES);
    }

    @Provide
    Arbitrary<String> devices() {
        return Arbitraries.of("A", "B", "C", "D", "E");
    }
}
