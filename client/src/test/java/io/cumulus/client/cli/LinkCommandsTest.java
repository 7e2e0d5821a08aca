package io.cumulus.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.client.api.Shares;
import io.cumulus.client.cli.LinkCommands.LinkCreate.ShareTarget;

class LinkCommandsTest {
    private static final List<Shares.Entry> SHARES = List.of(
            new Shares.Entry("share-family", "Family", "owner", "alice", "Family"),
            new Shares.Entry("share-trip", "Trip", "editor", "bob", "Shared/Trip"));

    @Test
    void aPathInsideASharedFolderIsLinkedInThatSharesNamespaceBelowItsMount() {
        assertThat(LinkCommands.LinkCreate.shareTarget(SHARES, "Family/note.txt"))
                .contains(new ShareTarget("share-family", "note.txt"));
        assertThat(LinkCommands.LinkCreate.shareTarget(SHARES, "Shared/Trip/day 1/beach.jpg"))
                .contains(new ShareTarget("share-trip", "day 1/beach.jpg"));
    }

    @Test
    void aPathOutsideEveryMountStaysInTheHomeFolder() {
        assertThat(LinkCommands.LinkCreate.shareTarget(SHARES, "Family2/note.txt")).isEmpty();
        assertThat(LinkCommands.LinkCreate.shareTarget(SHARES, "Shared/Tripod.txt")).isEmpty();
        assertThat(LinkCommands.LinkCreate.shareTarget(SHARES, "home.txt")).isEmpty();
    }

    @Test
    void theSharedFolderItselfIsRefusedWithItsName() {
        assertThatThrownBy(() -> LinkCommands.LinkCreate.shareTarget(SHARES, "Shared/Trip"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shared folder Trip itself");
    }
}
