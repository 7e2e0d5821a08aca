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

    private static Path blobFile(String id) {
        return api.blobs().resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    private static long partFiles() throws Exception {
        try (Stream<Path> files = Files.walk(api.blobs())) {
            return files.filter(p -> p.toString().endsWith(".part")).count();
        }
    }
}
