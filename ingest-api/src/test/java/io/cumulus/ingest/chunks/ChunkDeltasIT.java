package io.cumulus.ingest.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.sync.delta.DeltaCodec;
import io.cumulus.sync.delta.DeltaEncoder;
import io.cumulus.sync.delta.Signature;
import io.cumulus.sync.hash.Sha256;

/** Chunks uploaded and downloaded as deltas against a base chunk the account may read (decision 0017). */
class ChunkDeltasIT {
    private static final String DELTA = "application/vnd.cumulus.chunk-delta";
    private static final long LIMIT = 4L << 20;
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void aDeltaUploadAgainstTheSignatureStoresTheChunkAsAPlainUploadWould() {
        // given a device that stored a 1 MiB chunk, and the same bytes with one byte inserted
        Device laptop = client.newAccountWithDevice("delta-up", "Laptop");
        byte[] base = random(1 << 20, 1);
        String baseId = client.upload(laptop, base);
        byte[] edited = insert(base, base.length / 2);
        String id = Sha256.hex(edited);

        // when it fetches the base's signature and uploads a delta against it
        Response signature = client.get(laptop, "/v1/chunks/" + baseId + "/signature");
        assertThat(signature.status()).as(signature.toString()).isEqualTo(200);
        byte[] delta = DeltaEncoder.encode(Signature.parse(signature.bytes(), LIMIT), edited);
        Response r = client.put(laptop, id + "?base=" + baseId, delta, DELTA);

        // then the chunk is stored, counted and readable exactly like an uploaded one, for a few KiB
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("size").asLong()).isEqualTo(edited.length);
        assertThat(signature.bytes().length + delta.length).isLessThan(16 * 1024);
        assertThat(client.get(laptop, "/v1/chunks/" + id).bytes()).isEqualTo(edited);
        assertThat(blobFile(id)).hasBinaryContent(edited);
        assertThat(api.count("select count(*) from ingest.account_chunks where chunk_id = ? and account_id = ?::uuid",
                id, laptop.accountId())).isEqualTo(1);
    }

    @Test
    void aDeltaDownloadAgainstABaseTheDeviceHoldsRebuildsTheChunk() {
        // given two chunks the account stored, one an edit of the other
        Device laptop = client.newAccountWithDevice("delta-down", "Laptop");
        byte[] base = random(1 << 20, 2);
        String baseId = client.upload(laptop, base);
        byte[] edited = insert(base, 300_001);
        String id = client.upload(laptop, edited);

        // when a device that holds the base asks for the edit as a delta
        Response r = client.get(laptop, "/v1/chunks/" + id + "?base=" + baseId);

        // then a delta of a few bytes comes back, and applied to the base it gives the edit
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo(DELTA);
        assertThat(r.bytes().length).isLessThan(256);
        assertThat(DeltaCodec.apply(base, r.bytes(), LIMIT)).isEqualTo(edited);
    }

    @Test
    void aBaseOfAnotherAccountIsRefusedAndNothingIsStored() {
        // given alice stored a chunk, which mallory wants to use as a base
        Device alice = client.newAccountWithDevice("delta-alice", "Laptop");
        Device mallory = client.newAccountWithDevice("delta-mallory", "Laptop");
        byte[] secret = random(50_000, 3);
        String secretId = client.upload(alice, secret);
        byte[] guess = insert(secret, 10);
        String guessId = Sha256.hex(guess);
        RunningIngestApi.Footprint before = api.footprint();

        // when mallory asks for its signature, a download against it, and uploads a delta against it
        Response signature = client.get(mallory, "/v1/chunks/" + secretId + "/signature");
        Response download = client.get(mallory, "/v1/chunks/" + secretId + "?base=" + secretId);
        Response upload = client.put(mallory, guessId + "?base=" + secretId, DeltaEncoder.encode(secret, guess), DELTA);

        // then each is refused as if the chunk did not exist, and nothing was stored
        assertThat(signature.status()).isEqualTo(404);
        assertThat(download.status()).isEqualTo(404);
        assertThat(upload.status()).as(upload.toString()).isEqualTo(422);
        assertThat(upload.problem()).isEqualTo("delta-base-unavailable");
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(blobFile(guessId)).doesNotExist();
    }

    @Test
    void aDeltaThatDoesNotApplyOrGivesOtherBytesIsRefusedAndNothingIsStored() {
        // given a device with a base chunk
        Device laptop = client.newAccountWithDevice("delta-bad", "Laptop");
        byte[] base = random(100_000, 4);
        String baseId = client.upload(laptop, base);
        byte[] edited = insert(base, 5);
        byte[] delta = DeltaEncoder.encode(base, edited);
        String claimed = Sha256.hex(random(10, 5));
        RunningIngestApi.Footprint before = api.footprint();

        // when it sends a truncated delta, and a valid delta under another id
        Response truncated = client.put(laptop, Sha256.hex(edited) + "?base=" + baseId,
                java.util.Arrays.copyOf(delta, delta.length - 1), DELTA);
        Response wrongHash = client.put(laptop, claimed + "?base=" + baseId, delta, DELTA);

        // then a bad delta and a hash mismatch, as problems, and nothing stored
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(truncated.contentType()).startsWith("application/problem+json");
        assertThat(truncated.problem()).isEqualTo("bad-delta");
        assertThat(wrongHash.status()).isEqualTo(400);
        assertThat(wrongHash.problem()).isEqualTo("hash-mismatch");
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(blobFile(Sha256.hex(edited))).doesNotExist();
        assertThat(blobFile(claimed)).doesNotExist();
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] insert(byte[] data, int at) {
        byte[] out = new byte[data.length + 1];
        System.arraycopy(data, 0, out, 0, at);
        out[at] = 42;
        System.arraycopy(data, at, out, at + 1, data.length - at);
        return out;
    }

    private static Path blobFile(String id) {
        return api.blobs().resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }
}
