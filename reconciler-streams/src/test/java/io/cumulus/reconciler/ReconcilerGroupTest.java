package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.cumulus.reconciler.ReconcilerGroup.Member;

class ReconcilerGroupTest {
    private static final String GROUP = "cumulus-reconciler";
    private static final Member OWN = new Member("cumulus-reconciler-1b2c-StreamThread-1-consumer",
            Optional.of("node-a-1"), "/10.0.0.1");
    private static final Member OTHER = new Member("cumulus-reconciler-9f8e-StreamThread-1-consumer",
            Optional.of("node-b-1"), "/10.0.0.2");

    @Test
    void aGroupOfThisProcessesThreadsOnlyIsAccepted() {
        assertThatCode(() -> ReconcilerGroup.requireOnly(GROUP, List.of(OWN), Set.of(OWN.clientId())))
                .doesNotThrowAnyException();
    }

    @Test
    void anEmptyGroupIsAccepted() {
        assertThatCode(() -> ReconcilerGroup.requireOnly(GROUP, List.of(), Set.of(OWN.clientId())))
                .doesNotThrowAnyException();
    }

    @Test
    void aMemberOfAnotherProcessIsRefusedAndNamed() {
        assertThatThrownBy(() -> ReconcilerGroup.requireOnly(GROUP, List.of(OWN, OTHER), Set.of(OWN.clientId())))
                .isInstanceOf(ReconcilerGroup.OtherInstance.class)
                .hasMessage("another reconciler instance (instance id node-b-1, client " + OTHER.clientId()
                        + " on /10.0.0.2) is in group cumulus-reconciler; stop it or run the rebuild there");
    }

    @Test
    void everyOtherMemberIsNamedEvenWithoutAnInstanceId() {
        Member anonymous = new Member("x-StreamThread-1-consumer", Optional.empty(), "/10.0.0.3");
        assertThat(ReconcilerGroup.others(List.of(OWN, OTHER, anonymous), Set.of(OWN.clientId())))
                .containsExactly(OTHER, anonymous);
        assertThatThrownBy(() -> ReconcilerGroup.requireOnly(GROUP, List.of(OTHER, anonymous), Set.of(OWN.clientId())))
                .hasMessageStartingWith("other reconciler instances (instance id node-b-1")
                .hasMessageContaining("client x-StreamThread-1-consumer on /10.0.0.3) are in group");
    }

    @Test
    void aProcessWhoseThreadsAreUnknownIsAloneInNoGroup() {
        assertThatThrownBy(() -> ReconcilerGroup.requireOnly(GROUP, List.of(OWN), Set.of()))
                .isInstanceOf(ReconcilerGroup.OtherInstance.class);
    }
}
