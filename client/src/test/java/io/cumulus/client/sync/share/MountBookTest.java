package io.cumulus.client.sync.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.client.api.Shares;

class MountBookTest {
    private static final String FAMILY = "6f1c0a5e-3f4b-4d2a-9c1e-000000000001";
    private static final String WORK = "6f1c0a5e-3f4b-4d2a-9c1e-000000000002";

    private static Shares.Entry listed(String id, String name, String role, String path) {
        return new Shares.Entry(id, name, role, "alice", path);
    }

    @Test
    void aShareNoLongerListedIsDetachedAndKeepsItsPath() {
        List<MountBook.Mount> before = MountBook.reconcile(List.of(),
                List.of(listed(FAMILY, "Family", "editor", "Family"), listed(WORK, "Work", "viewer", "Work")));

        List<MountBook.Mount> after = MountBook.reconcile(before, List.of(listed(WORK, "Work", "viewer", "Work")));

        assertThat(after).extracting(MountBook.Mount::path, MountBook.Mount::detached)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Family", true),
                        org.assertj.core.groups.Tuple.tuple("Work", false));
    }

    @Test
    void aRoleChangeIsTakenAtTheNextListing() {
        List<MountBook.Mount> before = MountBook.reconcile(List.of(), List.of(listed(FAMILY, "Family", "editor", "Family")));

        List<MountBook.Mount> after = MountBook.reconcile(before, List.of(listed(FAMILY, "Family", "viewer", "Family")));

        assertThat(after).singleElement().satisfies(m -> assertThat(m.readOnly()).isTrue());
    }

    @Test
    void aMovedMountLeavesItsOldFolderDetachedAndAShareMountedThereAgainTakesItBack() {
        List<MountBook.Mount> before = MountBook.reconcile(List.of(), List.of(listed(FAMILY, "Family", "editor", "Family")));

        List<MountBook.Mount> moved = MountBook.reconcile(before, List.of(listed(FAMILY, "Family", "editor", "Shared/Family")));
        assertThat(moved).extracting(MountBook.Mount::path, MountBook.Mount::detached)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Family", true),
                        org.assertj.core.groups.Tuple.tuple("Shared/Family", false));

        List<MountBook.Mount> back = MountBook.reconcile(moved, List.of(listed(FAMILY, "Family", "editor", "Family")));
        assertThat(back).extracting(MountBook.Mount::path, MountBook.Mount::detached)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Family", false),
                        org.assertj.core.groups.Tuple.tuple("Shared/Family", true));
    }
}
