package io.cumulus.ingest.changes;

import static io.cumulus.ingest.changes.ChangeJson.CHUNK_A;
import static io.cumulus.ingest.changes.ChangeJson.CHUNK_B;
import static io.cumulus.ingest.changes.ChangeJson.aBatch;
import static io.cumulus.ingest.changes.ChangeJson.aChange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.schemas.FileOp;

class ChangeBatchParserTest {
    private static final String NS = "3f0c8a53-6b5e-4a53-9c1e-2f7a1b0c9d11";
    private static final String DEVICE = "0b6f5a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final String OTHER = "9e8d7c6b-5a49-4837-a625-1403f2e1d0c9";

    private static ChangeBatch parse(ChangeJson.Batch batch) {
        return ChangeBatchParser.parse(batch.tree(), DEVICE);
    }

    private static void assertRefused(ThrowingCallable parse, String slug, String detailPart) {
        assertThatThrownBy(parse).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.slug()).isEqualTo(slug);
            assertThat(e.getMessage()).contains(detailPart);
        });
    }

    @Test
    void aValidBatchKeepsEveryChangeInOrderWithItsVectorSorted() {
        // given an upsert with two chunks and a delete
        Map<String, Object> vector = new LinkedHashMap<>();
        vector.put(OTHER, 3);
        vector.put(DEVICE, 2);
        ChangeJson.Batch body = aBatch(NS)
                .with(aChange(DEVICE).fileId("f1").onPath("Docs/Straße.txt").vector(vector).chunks(CHUNK_A, 4, CHUNK_B, 6)
                        .set("modifiedAt", 1_700_000_000_000L))
                .with(aChange(DEVICE).fileId("f2").onPath("old.txt").deleted());

        // when it is parsed
        ChangeBatch batch = parse(body);

        // then everything is kept as sent, vectors sorted by device id
        assertThat(batch.namespaceId()).isEqualTo(NS);
        assertThat(batch.changes()).hasSize(2);
        FileChange upsert = batch.changes().get(0);
        assertThat(upsert.fileId()).isEqualTo("f1");
        assertThat(upsert.path().value()).isEqualTo("Docs/Straße.txt");
        assertThat(upsert.op()).isEqualTo(FileOp.UPSERT);
        assertThat(upsert.vector().keySet()).containsExactly(DEVICE, OTHER);
        assertThat(upsert.chunks()).extracting(c -> c.id().hex(), FileChange.ChunkRef::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(CHUNK_A, 4L), org.assertj.core.groups.Tuple.tuple(CHUNK_B, 6L));
        assertThat(upsert.size()).isEqualTo(10);
        assertThat(upsert.modifiedAt()).hasValue(1_700_000_000_000L);
        FileChange delete = batch.changes().get(1);
        assertThat(delete.op()).isEqualTo(FileOp.DELETE);
        assertThat(delete.chunks()).isEmpty();
        assertThat(batch.chunkIds()).containsExactly(CHUNK_A, CHUNK_B);
    }

    @Test
    void anEmptyFileIsAnUpsertWithoutChunks() {
        ChangeBatch batch = parse(aBatch(NS).with(aChange(DEVICE).chunks()));
        assertThat(batch.changes().getFirst().size()).isZero();
        assertThat(batch.changes().getFirst().chunks()).isEmpty();
    }

    @Test
    void modifiedAtMayBeAnIsoInstant() {
        ChangeBatch batch = parse(aBatch(NS).with(aChange(DEVICE).set("modifiedAt", "2026-01-02T03:04:05.678Z")));
        assertThat(batch.changes().getFirst().modifiedAt()).hasValue(java.time.Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
    }

    @Test
    void theBatchNeedsANamespaceAndOneToAThousandChanges() {
        assertRefused(() -> parse(aBatch(NS).set("namespaceId", null).with(aChange(DEVICE))), "invalid-request", "namespaceId");
        assertRefused(() -> parse(aBatch(NS)), "invalid-request", "changes");
        assertRefused(() -> parse(aBatch(NS).set("changes", "nope")), "invalid-request", "changes");
        ChangeJson.Batch tooMany = aBatch(NS);
        for (int i = 0; i < 1001; i++) {
            tooMany.with(aChange(DEVICE).fileId("f" + i));
        }
        assertRefused(() -> parse(tooMany), "too-many-changes", "1001");
        assertRefused(() -> ChangeBatchParser.parse(ChangeJson.JSON.readTree("[1]"), DEVICE), "invalid-request", "object");
    }

    @Test
    void aFileIdIsOneTo128UnreservedUrlCharacters() {
        for (String good : new String[] {"x".repeat(128), "~", "A-Z_a~z.0-9", "...", "conflict-" + OTHER + "-12"}) {
            assertThat(parse(aBatch(NS).with(aChange(DEVICE).fileId(good))).changes().getFirst().fileId()).isEqualTo(good);
        }
        for (Object bad : new Object[] {"", "  ", "x".repeat(129), 42, null, ".", "..", "a/b", "a b", "a%2F", "caf\u00e9",
                "a\u0000b", "tab\there", "half\uD800"}) {
            assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).fileId(bad))), "invalid-file-id", "fileId");
        }
    }

    @Test
    void aReservedNameIsAnInvalidPath() {
        assertThatThrownBy(() -> parse(aBatch(NS).with(aChange(DEVICE).onPath("Photos/.Cumulus/state.db"))))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.slug()).isEqualTo("invalid-path");
                    assertThat(e.toProblemDetail().getProperties()).containsEntry("reason", "reserved-name");
                });
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).onPath(".cumulus-tmp-42"))), "invalid-path", ".cumulus-tmp-");
        assertThat(parse(aBatch(NS).with(aChange(DEVICE).onPath("Photos/.cumulusdir"))).changes()).hasSize(1);
    }

    @Test
    void aPathThatSyncPathRejectsIsAnInvalidPathWithItsReason() {
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE)).with(aChange(DEVICE).onPath("../etc/passwd"))),
                "invalid-path", "changes[1]");
        assertThatThrownBy(() -> parse(aBatch(NS).with(aChange(DEVICE).onPath("/abs"))))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.toProblemDetail().getProperties()).containsEntry("reason", "absolute").containsEntry("changeIndex", 0));
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).onPath("a//b"))), "invalid-path", "empty segment");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).without("path"))), "invalid-path", "path");
    }

    @Test
    void theOperationIsUpsertOrDelete() {
        for (Object bad : new Object[] {"upsert", "RENAME", 1, null}) {
            assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).op(bad))), "invalid-change", "op");
        }
    }

    @Test
    void aVectorNamesTheSubmittingDeviceAndCountsFromOne() {
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of()))), "invalid-vector", "non-empty");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).set("vector", List.of(1)))), "invalid-vector", "object");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(OTHER, 1)))), "invalid-vector", DEVICE);
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, 0)))), "invalid-vector", "from 1");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, 1.5)))), "invalid-vector", "from 1");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, "1")))), "invalid-vector", "from 1");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, new java.math.BigInteger("99999999999999999999"))))),
                "invalid-vector", "from 1");
    }

    @Test
    void aVectorKeyIsADeviceIdOrTheServersEntryForOne() {
        Map<String, Object> onBehalf = Map.of(DEVICE, 1, "server:" + OTHER, 2);
        assertThat(parse(aBatch(NS).with(aChange(DEVICE).vector(onBehalf))).changes().getFirst().vector()).containsEntry("server:" + OTHER, 2L);
        for (String bad : new String[] {" ", "laptop", "x\u0000", OTHER.toUpperCase(), "1-1-1-1-1", "server:", "server:laptop",
                "client:" + OTHER, OTHER + " "}) {
            assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, 1, bad, 2)))), "invalid-vector", "a device id");
        }
    }

    @Test
    void aCounterBeyond2To53IsRefusedLongBeforeItCouldOverflow() {
        long max = io.cumulus.sync.vector.VersionVector.MAX_COUNTER;
        assertThat(parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, max)))).changes()).hasSize(1);
        for (long bad : new long[] {max + 1, Long.MAX_VALUE, -1}) {
            assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).vector(Map.of(DEVICE, bad)))), "invalid-vector", String.valueOf(max));
        }
    }

    @Test
    void aManifestListsWellFormedChunksWhoseSizesAddUpToTheFileSize() {
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).chunks(CHUNK_A.toUpperCase(), 10))), "invalid-manifest", "64 lowercase hex");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).chunks("abc", 10))), "invalid-manifest", "chunks[0].id");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).chunks(CHUNK_A, 0))), "invalid-manifest", "chunks[0].size");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).chunks(CHUNK_A, -1))), "invalid-manifest", "chunks[0].size");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).chunks(CHUNK_A, 4, CHUNK_B, 6).set("size", 11))),
                "invalid-manifest", "add up to 10, but size is 11");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).without("size"))), "invalid-manifest", "size");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).without("chunks"))), "invalid-manifest", "chunks");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).set("chunks", List.of("x")))), "invalid-manifest", "chunks[0]");
    }

    @Test
    void aDeleteHasNoChunks() {
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).deleted().chunks(CHUNK_A, 10).op("DELETE"))),
                "invalid-manifest", "DELETE");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).deleted().set("size", 5))), "invalid-manifest", "DELETE");
        assertThat(parse(aBatch(NS).with(aChange(DEVICE).deleted().set("chunks", List.of()).set("size", 0))).changes()).hasSize(1);
    }

    @Test
    void aMalformedModifiedAtIsRefused() {
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).set("modifiedAt", "yesterday"))), "invalid-change", "modifiedAt");
        assertRefused(() -> parse(aBatch(NS).with(aChange(DEVICE).set("modifiedAt", true))), "invalid-change", "modifiedAt");
    }
}
