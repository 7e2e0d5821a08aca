package io.cumulus.ingest.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.sync.hash.Sha256;

/** Chunk upload, the missing-chunks question and download, each scoped to the caller's account. */
class ChunksIT {
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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> missing(Device device, List<String> ids) {
        Response r = client.send("POST", "/v1/chunks/missing", device.token(), Map.of("chunkIds", ids), Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> missing = new ArrayList<>();
        r.json().get("missing").forEach(n -> missing.add(n.asString()));
        return missing;
    }

    @Test
    void anUploadedChunkIsNoLongerMissingAndDownloadsByteForByte() {
        // given a device and two chunks, one of which it uploads
        Device laptop = client.newAccountWithDevice("uploader", "Laptop");
        byte[] content = bytes("the quick brown fox\n");
        String uploadedId = Sha256.hex(content);
        String otherId = Sha256.hex(bytes("never uploaded"));
        assertThat(missing(laptop, List.of(uploadedId, otherId))).containsExactly(uploadedId, otherId);

        // when it uploads one, twice
        Response first = client.put(laptop, uploadedId, content);
        Response second = client.put(laptop, uploadedId, content);

        // then the first stores it, the second is a no-op, and it is found and downloadable
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(missing(laptop, List.of(uploadedId, otherId, otherId))).containsExactly(otherId);
        Response download = client.get(laptop, "/v1/chunks/" + uploadedId);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.contentType()).isEqualTo("application/octet-stream");
        assertThat(download.bytes()).isEqualTo(content);
        assertThat(api.count("select size from ingest.chunks where id = ?", uploadedId)).isEqualTo(content.length);
        assertThat(api.count("select count(*) from ingest.account_chunks where chunk_id = ? and account_id = ?::uuid",
                uploadedId, laptop.accountId())).isEqualTo(1);
        assertThat(blobFile(uploadedId)).hasBinaryContent(content);
    }

    @Test
    void anUploadsBodyIsItsBytesWhateverItsContentType() {
        // given a device, and for each content type bytes that its parser would choke on or take apart
        Device laptop = client.newAccountWithDevice("typed", "Laptop");
        java.util.Random random = new java.util.Random(11);
        java.util.Arrays.asList(null, "text/plain", "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8", "multipart/form-data; boundary=XyZ",
                "multipart/form-data", "application/json", "not a media type").forEach(contentType -> {
            byte[] noise = new byte[4096];
            random.nextBytes(noise);
            byte[] content = concat(bytes("a=%zz&b=%&=%41\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n{\"x\":"),
                    noise, bytes("\r\n--XyZ--\r\n"));
            String id = Sha256.hex(content);

            // when it is uploaded with that content type
            Response r = client.put(laptop, id, content, contentType);

            // then exactly those bytes are stored under their hash
            assertThat(r.status()).as(contentType + ": " + r).isEqualTo(201);
            assertThat(r.json().get("size").asLong()).as(contentType).isEqualTo(content.length);
            assertThat(client.get(laptop, "/v1/chunks/" + id).bytes()).as(contentType).isEqualTo(content);
            assertThat(blobFile(id)).as(contentType).hasBinaryContent(content);
        });
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    @Test
    void anotherAccountCanNeitherSeeNorProbeSomeoneElsesChunk() {
        // given alice uploaded a chunk
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device mallory = client.newAccountWithDevice("mallory", "Laptop");
        byte[] secret = bytes("alice's secret diary\n");
        String id = client.upload(alice, secret);

        // then for mallory it is missing and does not exist, exactly like a chunk no one has
        String nobodys = Sha256.hex(bytes("no one has this"));
        assertThat(missing(mallory, List.of(id, nobodys))).containsExactly(id, nobodys);
        Response download = client.get(mallory, "/v1/chunks/" + id);
        Response none = client.get(mallory, "/v1/chunks/" + nobodys);
        assertThat(download.status()).isEqualTo(404);
        assertThat(download.problem()).isEqualTo("chunk-not-found");
        assertThat(none.status()).isEqualTo(404);
        assertThat(download.json().get("title")).isEqualTo(none.json().get("title"));

        // and when mallory uploads the same bytes she proves she has them: new to her, so 201 like any first upload
        assertThat(client.put(mallory, id, secret).status()).isEqualTo(201);
        assertThat(client.get(mallory, "/v1/chunks/" + id).bytes()).isEqualTo(secret);
        assertThat(api.count("select count(*) from ingest.chunks where id = ?", id)).isEqualTo(1);
    }

    @Test
    void bytesThatDoNotHashToTheirIdAreRefusedAndNothingIsStored() throws Exception {
        // given a device
        Device laptop = client.newAccountWithDevice("liar", "Laptop");
        String claimed = Sha256.hex(bytes("what I claim to send"));
        RunningIngestApi.Footprint before = api.footprint();

        // when it uploads other bytes under that id
        Response r = client.put(laptop, claimed, bytes("something else entirely"));

        // then it is a 400 hash mismatch and neither the database nor the blob directory changed
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem()).isEqualTo("hash-mismatch");
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(blobFile(claimed)).doesNotExist();
        assertThat(partFiles()).isZero();
    }

    @Test
    void chunkIdsMustBe64LowercaseHexDigits() {
        Device laptop = client.newAccountWithDevice("typo", "Laptop");
        String upper = Sha256.hex(bytes("x")).toUpperCase();

        Response put = client.put(laptop, upper, bytes("x"));
        Response get = client.get(laptop, "/v1/chunks/abc");
        Response query = client.send("POST", "/v1/chunks/missing", laptop.token(),
                Map.of("chunkIds", List.of(Sha256.hex(bytes("x")), "nothex")), Map.of());
        Response noList = client.send("POST", "/v1/chunks/missing", laptop.token(), Map.of("ids", List.of()), Map.of());

        assertThat(put.status()).isEqualTo(400);
        assertThat(put.problem()).isEqualTo("invalid-chunk-id");
        assertThat(get.status()).isEqualTo(400);
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.problem()).isEqualTo("invalid-chunk-id");
        assertThat(noList.status()).isEqualTo(400);
    }

    @Test
    void atMostTenThousandIdsCanBeAskedAtOnce() {
        Device laptop = client.newAccountWithDevice("bulk", "Laptop");
        List<String> tenThousand = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            tenThousand.add(Sha256.hex(bytes("chunk " + i)));
        }
        assertThat(missing(laptop, tenThousand)).hasSize(10_000);
        List<String> tooMany = new ArrayList<>(tenThousand);
        tooMany.add(Sha256.hex(bytes("one more")));
        Response r = client.send("POST", "/v1/chunks/missing", laptop.token(), Map.of("chunkIds", tooMany), Map.of());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problem()).isEqualTo("too-many-chunk-ids");
    }

    @Test
    void aChunkOverTheSizeLimitIsRefusedWithoutBeingStored() {
        // given a device and 5 MiB of bytes
        Device laptop = client.newAccountWithDevice("big", "Laptop");
        byte[] big = new byte[5 * 1024 * 1024];
        String id = Sha256.hex(big);
        RunningIngestApi.Footprint before = api.footprint();

        // when they are uploaded as one chunk
        Response r = client.put(laptop, id, big);

        // then it is a 413 and nothing is stored
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.problem()).isEqualTo("chunk-too-large");
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(blobFile(id)).doesNotExist();
    }

    @Test
    void aFourMebibyteChunkIsAccepted() {
        Device laptop = client.newAccountWithDevice("four", "Laptop");
        byte[] four = new byte[4 * 1024 * 1024];
        four[0] = 1;
        String id = client.upload(laptop, four);
        assertThat(client.get(laptop, "/v1/chunks/" + id).bytes()).isEqualTo(four);
    }

    private static byte[] pack(List<byte[]> chunks, List<String> ids) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(out);
        for (int i = 0; i < chunks.size(); i++) {
            data.write(java.util.HexFormat.of().parseHex(ids.get(i)));
            data.writeInt(chunks.get(i).length);
            data.write(chunks.get(i));
        }
        return out.toByteArray();
    }

    private static Response postPack(Device device, byte[] body, String contentType) {
        java.net.http.HttpRequest post = java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.base() + "/v1/chunks/pack"))
                .header("Authorization", "Bearer " + device.token())
                .header("Content-Type", contentType)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.exchange(post);
    }

    @Test
    void aPackStoresEachOfItsChunksAsItsOwnUploadWould() throws Exception {
        // given a device and three small chunks, one of which the account has already
        Device laptop = client.newAccountWithDevice("packer", "Laptop");
        List<byte[]> chunks = List.of(bytes("first small chunk"), bytes("second small chunk"), bytes("third, already there"));
        List<String> ids = chunks.stream().map(Sha256::hex).toList();
        client.put(laptop, ids.get(2), chunks.get(2));

        // when it sends them in one pack, under a form content type that a parser would take apart
        Response r = postPack(laptop, pack(chunks, ids), "application/x-www-form-urlencoded");

        // then each is stored, found and downloadable byte for byte
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("stored")).hasSize(3);
        assertThat(missing(laptop, ids)).isEmpty();
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(client.get(laptop, "/v1/chunks/" + ids.get(i)).bytes()).isEqualTo(chunks.get(i));
            assertThat(blobFile(ids.get(i))).hasBinaryContent(chunks.get(i));
        }
    }

    @Test
    void aPackWhoseChunkDoesNotHashToItsIdStoresNothingOfThatChunk() throws Exception {
        // given a pack whose second chunk lies about its id
        Device laptop = client.newAccountWithDevice("packliar", "Laptop");
        List<byte[]> chunks = List.of(bytes("an honest chunk in a pack"), bytes("a dishonest chunk"));
        String claimed = Sha256.hex(bytes("what it claims"));
        List<String> ids = List.of(Sha256.hex(chunks.get(0)), claimed);

        // when it is sent
        Response r = postPack(laptop, pack(chunks, ids), "application/vnd.cumulus.chunk-pack");

        // then it is a 400 hash mismatch, the lying chunk is nowhere, and no staging file is left
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problem()).isEqualTo("hash-mismatch");
        assertThat(blobFile(claimed)).doesNotExist();
        assertThat(missing(laptop, List.of(claimed))).containsExactly(claimed);
        assertThat(partFiles()).isZero();
    }

    @Test
    void aTruncatedOrMalformedPackIsA400() throws Exception {
        Device laptop = client.newAccountWithDevice("packcut", "Laptop");
        byte[] chunk = bytes("a chunk cut short");
        String id = Sha256.hex(chunk);
        byte[] whole = pack(List.of(chunk), List.of(id));
        RunningIngestApi.Footprint before = api.footprint();

        Response cut = postPack(laptop, java.util.Arrays.copyOf(whole, whole.length - 3), "application/vnd.cumulus.chunk-pack");
        Response halfHeader = postPack(laptop, java.util.Arrays.copyOf(whole, 20), "application/vnd.cumulus.chunk-pack");
        byte[] zeroLength = java.util.Arrays.copyOf(whole, 36);
        zeroLength[32] = zeroLength[33] = zeroLength[34] = zeroLength[35] = 0;
        Response empty = postPack(laptop, zeroLength, "application/vnd.cumulus.chunk-pack");

        assertThat(List.of(cut, halfHeader, empty)).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.problem()).isEqualTo("invalid-chunk-pack");
        });
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(blobFile(id)).doesNotExist();
        assertThat(partFiles()).isZero();
    }

    @Test
    void aFetchedPackHoldsOnlyTheChunksThisAccountMayRead() throws Exception {
        // given a chunk of one account, and another account with a chunk of its own
        Device alice = client.newAccountWithDevice("fetchowner", "Laptop");
        Device mallory = client.newAccountWithDevice("fetchprobe", "Laptop");
        byte[] secret = bytes("alice's secret chunk");
        byte[] own = bytes("mallory's own chunk");
        String secretId = client.upload(alice, secret);
        String ownId = client.upload(mallory, own);

        // when each asks for both in one pack, and someone asks without a token
        Response forAlice = client.send("POST", "/v1/chunks/fetch", alice.token(), Map.of("chunkIds", List.of(ownId, secretId)), Map.of());
        Response forMallory = client.send("POST", "/v1/chunks/fetch", mallory.token(), Map.of("chunkIds", List.of(secretId, ownId)), Map.of());
        Response anonymous = client.send("POST", "/v1/chunks/fetch", null, Map.of("chunkIds", List.of(secretId)), Map.of());
        Response anonymousPack = postPack(new Device(null, "not-a-token", null, null, null), pack(List.of(own), List.of(ownId)),
                "application/vnd.cumulus.chunk-pack");

        // then each gets only its own chunk, framed, and the others get 401
        assertThat(forAlice.status()).isEqualTo(200);
        assertThat(forAlice.contentType()).startsWith("application/vnd.cumulus.chunk-pack");
        assertThat(forAlice.bytes()).isEqualTo(pack(List.of(secret), List.of(secretId)));
        assertThat(forMallory.bytes()).isEqualTo(pack(List.of(own), List.of(ownId)));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymousPack.status()).isEqualTo(401);
    }

    @Test
    void aFetchOfTooManyOrMalformedIdsIsA400() {
        Device laptop = client.newAccountWithDevice("fetchbad", "Laptop");
        List<String> tooMany = java.util.stream.IntStream.range(0, 1_001).mapToObj(i -> Sha256.hex(bytes("id " + i))).toList();
        Response many = client.send("POST", "/v1/chunks/fetch", laptop.token(), Map.of("chunkIds", tooMany), Map.of());
        Response malformed = client.send("POST", "/v1/chunks/fetch", laptop.token(), Map.of("chunkIds", List.of("../etc/passwd")), Map.of());
        Response none = client.send("POST", "/v1/chunks/fetch", laptop.token(), Map.of(), Map.of());
        assertThat(List.of(many, malformed, none)).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
        });
    }

    private static Path blobFile(String id) {
        return api.blobs().resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    private static long partFiles() throws Exception {
        try (Stream<Path> files = Files.walk(api.blobs())) {
            return files.filter(p -> p.toString().endsWith(".part")).count();
        }
    }
}
