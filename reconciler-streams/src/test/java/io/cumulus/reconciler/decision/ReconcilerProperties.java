package io.cumulus.reconciler.decision;

import static io.cumulus.reconciler.decision.TestFiles.aFile;
import static io.cumulus.reconciler.decision.TestFiles.aNamespace;
import static io.cumulus.reconciler.decision.TestFiles.anUpsert;
import static io.cumulus.reconciler.decision.TestFiles.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Provide;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;

class ReconcilerProperties {
    private static final BatchContext BATCH = new BatchContext("b", "Phone", Instant.parse("2026-01-01T00:00:00Z"));

    @Property
    void anUpsertThatIsNeitherOlderNorEqualIsAlwaysWrittenSomewhere(@ForAll("vectors") VersionVector stored,
            @ForAll("vectors") VersionVector incoming, @ForAll boolean storedDeleted) {
        // given a stored version, live or deleted
        TestFiles.StoredFile file = aFile("f1").at("a.txt").withVector(stored);
        TestFiles.Namespace namespace = aNamespace().with(storedDeleted ? file.deleted() : file);
        Chunk content = chunk("incoming");

        // when an upsert with any vector arrives
        Decision decision = new Reconciler().decide(BATCH,
                anUpsert("f1").at("a.txt").withVector(incoming).withChunks(content).build(), namespace);

        // then its content is dropped only when the server already has this version or a newer one
        Causality causality = incoming.compare(stored);
        Optional<FileWrite> written = switch (decision) {
            case Applied applied -> Optional.of(applied.write());
            case Conflict conflict -> conflict.kept();
            case Duplicate duplicate -> Optional.empty();
            case Stale stale -> Optional.empty();
        };
        if (causality == Causality.EQUAL || causality == Causality.DOMINATED) {
            assertThat(written).isEmpty();
        } else {
            assertThat(written).hasValueSatisfying(w -> assertThat(w.next().chunks()).containsExactly(content));
        }
    }

    @Property
    void referenceChangesOverAFilesHistoryAddUpToTheChunksItsRetainedVersionsUse(
            @ForAll("histories") List<FileVersion> history, @ForAll @IntRange(min = 0, max = 6) int kept) {
        // given a file's successive versions, each added to its history, and then all but the newest `kept` expiring
        Map<String, Integer> counts = new HashMap<>();
        List<FileVersion> retained = new ArrayList<>();
        for (FileVersion next : history) {
            List<FileVersion> before = List.copyOf(retained);
            retained.add(next);
            ChunkRefChange.between(before, retained).forEach(c -> counts.merge(c.chunkId(), c.delta(), Integer::sum));
        }
        List<FileVersion> before = List.copyOf(retained);
        List<FileVersion> after = retained.subList(Math.max(0, retained.size() - kept), retained.size());
        ChunkRefChange.between(before, after).forEach(c -> counts.merge(c.chunkId(), c.delta(), Integer::sum));

        // then exactly the distinct chunks of the versions still retained hold one reference each
        Set<String> live = new HashSet<>();
        after.forEach(v -> v.referencedChunks().forEach(c -> live.add(c.id())));
        counts.forEach((id, count) -> assertThat(count).isEqualTo(live.contains(id) ? 1 : 0));
        assertThat(counts.keySet()).containsAll(live);
    }

    @Property
    void noSequenceOfCreatesRenamesAndDeletesLeavesAFileWhereAnotherFileHasAFolder(
            @ForAll("treeSteps") List<TreeStep> steps) {
        // given an empty namespace, and creates, renames and deletes over names that are files in some
        // steps and folders in others (in any case, and the conflicted-copy names a clash would pick)
        TestFiles.Namespace namespace = aNamespace();
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            TreeStep step = steps.get(i);
            String fileId = "f" + step.file();
            long counter = counters.merge(fileId, 1L, Long::sum);
            VersionVector vector = VersionVector.of("P", counter);
            Chunk content = chunk("content " + i);
            boolean known = namespace.file(fileId).isPresent();

            // when each is decided in turn and its write recorded
            Decision decision = new Reconciler().decide(BATCH, (step.delete()
                    ? TestFiles.aDelete(fileId).at(TREE_PATHS.get(step.path()))
                    : anUpsert(fileId).at(TREE_PATHS.get(step.path())).withChunks(content))
                    .withVector(vector).atIndex(i).build(), namespace);
            Optional<FileWrite> written = switch (decision) {
                case Applied applied -> Optional.of(applied.write());
                case Conflict conflict -> conflict.kept();
                case Duplicate duplicate -> Optional.empty();
                case Stale stale -> Optional.empty();
            };
            written.ifPresent(w -> namespace.with(w.next()));

            // then every upsert is written with its content, and a delete only of a file the namespace had
            if (step.delete()) {
                assertThat(written.isPresent()).isEqualTo(known);
            } else {
                assertThat(written).hasValueSatisfying(w -> assertThat(w.next().chunks()).containsExactly(content));
            }
        }

        // and no live file's key is another's, nor a folder of another's
        List<String> keys = namespace.livePaths().stream().map(p -> PathKey.of(p).value()).sorted().toList();
        assertThat(new HashSet<>(keys)).hasSameSizeAs(keys);
        for (String key : keys) {
            assertThat(keys).noneMatch(other -> other.startsWith(key + "/"));
        }
    }

    /** A create or rename ({@code delete} false) of file {@code file} to a path, or its delete. */
    record TreeStep(int file, int path, boolean delete) {
    }

    private static final List<String> TREE_PATHS = List.of("x", "X", "x/y", "x/Y/z", "x/.cumulusdir", "y",
            "y/x", "x (Phone's conflicted copy 2026-01-01)", "X (Phone's conflicted copy 2026-01-01)/y",
            "x/y (Phone's conflicted copy 2026-01-01)");

    @Provide
    Arbitrary<List<TreeStep>> treeSteps() {
        return Combinators.combine(Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, TREE_PATHS.size() - 1),
                Arbitraries.integers().between(0, 5).map(n -> n == 0))
                .as(TreeStep::new).list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<VersionVector> vectors() {
        return Arbitraries.maps(Arbitraries.of("A", "B", "C"), Arbitraries.longs().between(0, 3))
                .ofMaxSize(3).map(VersionVector::of);
    }

    @Provide
    Arbitrary<List<FileVersion>> histories() {
        Arbitrary<List<Chunk>> manifests = Arbitraries.of("a", "b", "c", "d").map(TestFiles::chunk).list().ofMaxSize(5);
        Arbitrary<FileVersion> versions = Combinators.combine(manifests, Arbitraries.integers().between(0, 4))
                .as((chunks, dice) -> dice == 0
                        ? aFile("f1").deleted().build()
                        : aFile("f1").withChunks(chunks.toArray(Chunk[]::new)).build());
        return versions.list().ofMinSize(1).ofMaxSize(6);
    }
}
