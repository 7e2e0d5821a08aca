package io.cumulus.ingest.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.StoredBlob;
import io.cumulus.ingest.gc.ChunkFinding.Repair;
import io.cumulus.ingest.gc.FsckFindings.CatalogueRow;

class FsckFindingsTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration GRACE = Duration.ofHours(24);
    private static final Duration OLD = GRACE.plusHours(1);
    private static final Duration YOUNG = Duration.ofMinutes(5);

    /** The four views of the chunks, built up by each test. */
    private final Map<String, Long> expected = new HashMap<>();
    private final Map<String, Long> counted = new HashMap<>();
    private final Map<String, CatalogueRow> catalogue = new HashMap<>();
    private final Map<String, StoredBlob> listing = new HashMap<>();
    private boolean countsTrusted = true;

    private static String id(char c) {
        return String.valueOf(c).repeat(64);
    }

    /** A chunk as it should be: held by {@code files}, counted so, catalogued stored and in the blob store. */
    private FsckFindingsTest healthy(String id, long files) {
        expected.put(id, files);
        counted.put(id, files);
        return stored(id, OLD).object(id, 100, OLD);
    }

    private FsckFindingsTest stored(String id, Duration age) {
        catalogue.put(id, new CatalogueRow("stored", NOW.minus(age)));
        return this;
    }

    private FsckFindingsTest object(String id, long size, Duration age) {
        listing.put(id, new StoredBlob(new ChunkId(id), size, NOW.minus(age)));
        return this;
    }

    private FsckFindings compare() {
        return FsckFindings.compare(expected, countsTrusted ? Optional.of(counted) : Optional.empty(), catalogue, listing,
                NOW, GRACE);
    }

    @Test
    void aConsistentStoreHasNoFindings() {
        healthy(id('a'), 1).healthy(id('b'), 3);
        counted.put(id('c'), 0L); // a collected chunk's row stays at zero
        FsckFindings findings = compare();
        assertThat(findings.all()).isEmpty();
        assertThat(findings.unresolved()).isZero();
    }

    @Test
    void aHeldChunkWithoutItsObjectIsADanglingReferenceNothingCanRepair() {
        // given a chunk a file holds, catalogued stored, whose object is gone
        expected.put(id('d'), 1L);
        counted.put(id('d'), 1L);
        stored(id('d'), OLD);

        FsckFindings findings = compare();

        assertThat(findings.danglingReferences()).singleElement().satisfies(f -> {
            assertThat(f.chunkId()).isEqualTo(id('d'));
            assertThat(f.repair()).isEqualTo(Repair.NONE);
            assertThat(f.needsAttention()).isTrue();
            assertThat(f.problem()).contains("no object");
        });
        // its row is a missing object too, but never deleted while held, and counted once as unresolved
        assertThat(findings.missingObjects()).singleElement().satisfies(f -> {
            assertThat(f.repair()).isEqualTo(Repair.NONE);
            assertThat(f.needsAttention()).isFalse();
        });
        assertThat(findings.unresolved()).isEqualTo(1);
    }

    @Test
    void aHeldChunkTheCollectorIsDeletingOrThatIsStillUploadingIsAtRisk() {
        healthy(id('e'), 1).healthy(id('f'), 1);
        catalogue.put(id('e'), new CatalogueRow("deleting", NOW));
        catalogue.put(id('f'), new CatalogueRow("uploading", NOW));

        assertThat(compare().danglingReferences()).extracting(ChunkFinding::chunkId, ChunkFinding::catalogue)
                .containsExactly(tuple(id('e'), "deleting"),
                        tuple(id('f'), "uploading"));
    }

    @Test
    void aCountBelowTheFilesHoldingTheChunkIsRaisedAndAMissingCountRowCountsZero() {
        healthy(id('a'), 3).healthy(id('b'), 2);
        counted.put(id('a'), 1L);
        counted.remove(id('b'));

        FsckFindings findings = compare();

        assertThat(findings.countsTooLow()).extracting(ChunkFinding::chunkId, ChunkFinding::expected, ChunkFinding::counted,
                        ChunkFinding::repair)
                .containsExactly(tuple(id('a'), 3L, 1L, Repair.RAISE_COUNT),
                        tuple(id('b'), 2L, 0L, Repair.RAISE_COUNT));
        assertThat(findings.countsTooLow().get(1).problem()).contains("no count row");
        assertThat(findings.unresolved()).isEqualTo(2);
    }

    @Test
    void aCountAboveTheFilesHoldingTheChunkIsReportedButNeverLoweredNorCountedAsAProblem() {
        healthy(id('a'), 1);
        counted.put(id('a'), 4L);
        counted.put(id('b'), 2L); // nothing holds b any more: its releases are on their way

        FsckFindings findings = compare();

        assertThat(findings.countsTooHigh()).extracting(ChunkFinding::chunkId, ChunkFinding::repair)
                .containsExactly(tuple(id('a'), Repair.NONE),
                        tuple(id('b'), Repair.NONE));
        assertThat(findings.unresolved()).isZero();
    }

    @Test
    void anUncataloguedObjectThatAFileHoldsIsCataloguedAgainHoweverOldNeverDeleted() {
        expected.put(id('7'), 2L);
        counted.put(id('7'), 2L);
        object(id('7'), 500, OLD.multipliedBy(10));

        assertThat(compare().uncataloguedObjects()).singleElement().satisfies(f -> {
            assertThat(f.repair()).isEqualTo(Repair.RECATALOGUE);
            assertThat(f.objectSize()).isEqualTo(500);
            assertThat(f.needsAttention()).isTrue();
        });
        assertThat(compare().danglingReferences()).isEmpty();
    }

    @Test
    void aLeakedObjectIsDeletedOnlyOnceItIsOlderThanTheGracePeriod() {
        // given objects nothing holds or catalogues: old, young, and exactly one grace period old
        object(id('1'), 10, OLD).object(id('2'), 10, YOUNG).object(id('3'), 10, GRACE);

        FsckFindings findings = compare();

        assertThat(findings.uncataloguedObjects()).extracting(ChunkFinding::chunkId, ChunkFinding::repair,
                        ChunkFinding::needsAttention)
                .containsExactly(tuple(id('1'), Repair.DELETE_OBJECT, true),
                        tuple(id('2'), Repair.NONE, false),
                        tuple(id('3'), Repair.NONE, false));
    }

    @Test
    void aStoredRowWithoutObjectIsDeletedOnlyWhenNothingHoldsItAndItIsOld() {
        // given stored rows without objects: old, young, and held by a file; and rows of uploads and
        // deletions without objects, which are the upload's and the collector's business
        stored(id('0'), OLD).stored(id('8'), YOUNG).stored(id('4'), OLD);
        expected.put(id('4'), 1L);
        counted.put(id('4'), 1L);
        catalogue.put(id('5'), new CatalogueRow("uploading", NOW.minus(OLD)));
        catalogue.put(id('6'), new CatalogueRow("deleting", NOW.minus(OLD)));

        FsckFindings findings = compare();

        assertThat(findings.missingObjects()).extracting(ChunkFinding::chunkId, ChunkFinding::repair)
                .containsExactly(tuple(id('0'), Repair.DELETE_ROW),
                        tuple(id('4'), Repair.NONE),
                        tuple(id('8'), Repair.NONE));
    }

    @Test
    void whenTheCountsCannotBeTrustedNoCountIsComparedAndNothingIsDeletedButObjectsStillAre() {
        // given a wrong count, an old leak, an old row without object and an uncatalogued held object
        healthy(id('a'), 2);
        counted.put(id('a'), 0L);
        object(id('1'), 10, OLD);
        stored(id('0'), OLD);
        expected.put(id('7'), 1L);
        object(id('7'), 10, OLD);
        countsTrusted = false;

        FsckFindings findings = compare();

        assertThat(findings.countsTooLow()).isEmpty();
        assertThat(findings.countsTooHigh()).isEmpty();
        assertThat(findings.all()).filteredOn(f -> f.repair() == Repair.DELETE_OBJECT || f.repair() == Repair.DELETE_ROW)
                .isEmpty();
        assertThat(findings.uncataloguedObjects()).extracting(ChunkFinding::chunkId, ChunkFinding::repair,
                        ChunkFinding::counted)
                .containsExactly(tuple(id('1'), Repair.NONE, null),
                        tuple(id('7'), Repair.RECATALOGUE, null));
        assertThat(findings.missingObjects()).singleElement().satisfies(f -> assertThat(f.needsAttention()).isTrue());
    }

    @Test
    void noFindingEverProposesToDeleteAnObjectOrRowThatAFileHolds() {
        // given every combination of held chunk with any catalogue state, age and presence of its object
        List<String> states = List.of("none", "uploading", "stored", "deleting");
        int n = 0;
        for (String state : states) {
            for (Duration age : List.of(YOUNG, OLD)) {
                for (boolean object : List.of(true, false)) {
                    String id = String.format("%064x", ++n);
                    expected.put(id, 1L);
                    if (!state.equals("none")) {
                        catalogue.put(id, new CatalogueRow(state, NOW.minus(age)));
                    }
                    if (object) {
                        object(id, 10, age);
                    }
                }
            }
        }

        // then no repair deletes any of them, with or without trusted counts
        for (boolean trusted : List.of(true, false)) {
            countsTrusted = trusted;
            assertThat(compare().all()).filteredOn(f -> f.repair() == Repair.DELETE_OBJECT || f.repair() == Repair.DELETE_ROW)
                    .isEmpty();
        }
    }
}
