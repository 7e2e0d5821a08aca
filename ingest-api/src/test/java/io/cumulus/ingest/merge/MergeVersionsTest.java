package io.cumulus.ingest.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.merge.MergeVersions.Found;
import io.cumulus.ingest.merge.MergeVersions.NoMerge;
import io.cumulus.ingest.reads.ReadModel.Version;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.json.JsonMapper;

class MergeVersionsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void oursIsTheVersionBeforeTheCopyAndTheAncestorTheNewestTheCopyHadSeen() {
        // given A created the file (1), A edited it twice (2, 4); B edited version 2 concurrently (copy at 5)
        List<Version> history = List.of(version(4, "UPSERT", "{\"A\": 3}"), version(2, "UPSERT", "{\"A\": 2}"),
                version(1, "UPSERT", "{\"A\": 1}"));
        ConflictedCopy copy = copyAt(5, VersionVector.of("A", 2, "B", 1));

        // when the versions are chosen
        MergeVersions.Choice choice = MergeVersions.choose(history, copy);

        // then OURS is A's latest, the ANCESTOR the version B edited
        assertThat(choice).isInstanceOf(Found.class);
        assertThat(((Found) choice).ours().seq()).isEqualTo(4);
        assertThat(((Found) choice).ancestor().seq()).isEqualTo(2);
    }

    @Test
    void versionsAfterTheCopyAreNotOurs() {
        List<Version> history = List.of(version(9, "UPSERT", "{\"A\": 3}"), version(2, "UPSERT", "{\"A\": 2}"),
                version(1, "UPSERT", "{\"A\": 1}"));

        MergeVersions.Choice choice = MergeVersions.choose(history, copyAt(5, VersionVector.of("A", 1, "B", 1)));

        assertThat(((Found) choice).ours().seq()).isEqualTo(2);
        assertThat(((Found) choice).ancestor().seq()).isEqualTo(1);
    }

    @Test
    void twoFilesWithNoCommonVersionAreNotMerged() {
        List<Version> history = List.of(version(1, "UPSERT", "{\"A\": 1}"));

        assertThat(MergeVersions.choose(history, copyAt(2, VersionVector.of("B", 1))))
                .isEqualTo(new NoMerge("no common ancestor"));
    }

    @Test
    void aCopyOfAnEditToADeletedFileIsNotMerged() {
        List<Version> history = List.of(version(2, "DELETE", "{\"A\": 2}"), version(1, "UPSERT", "{\"A\": 1}"));

        assertThat(MergeVersions.choose(history, copyAt(3, VersionVector.of("A", 1, "B", 1))))
                .isEqualTo(new NoMerge("the original was deleted"));
    }

    private static ConflictedCopy copyAt(long seq, VersionVector vector) {
        return new ConflictedCopy(UUID.randomUUID(), seq, "conflict-b-0", "notes (B's conflicted copy 2026-01-01).md",
                "notes", vector, List.of(), 0, 0, true);
    }

    private static Version version(long seq, String op, String vector) {
        return new Version(seq, "notes.md", op, JSON.readTree(vector), JSON.readTree("[]"), 0, "A", "A", null);
    }
}
