package io.cumulus.ingest.authz;

import static io.cumulus.ingest.authz.Expected.admin;
import static io.cumulus.ingest.authz.Expected.anyDevice;
import static io.cumulus.ingest.authz.Expected.device;
import static io.cumulus.ingest.authz.Expected.everyone;
import static io.cumulus.ingest.authz.Expected.ownerOnly;
import static io.cumulus.ingest.authz.Row.row;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cumulus.ingest.ApiClient;
import io.cumulus.sync.delta.DeltaEncoder;
import io.cumulus.sync.hash.Sha256;

/**
 * The matrix itself: for every handler, one row or more (one per kind of object it can name),
 * each with the exact status of every relation. Rows run in this order, and each relation's
 * request in {@link Relation}'s reverse order (the owner last), so a row whose request changes
 * something for good (a deletion, a revocation) refuses everyone else before the owner's request
 * changes it; such rows name throwaway objects.
 *
 * <p>Reading a row: the six numbers of {@code device(...)} are owner, editor, viewer, invited,
 * removed, other; a revoked device, no token, a link token and the admin token then get 401.
 */
final class MatrixRows {
    private MatrixRows() {
    }

    /** Every row, for the world's accounts. */
    static List<Row> all(MatrixWorld world) {
        List<Row> rows = new ArrayList<>();
        rows.addAll(accountsAndDevices(world));
        rows.addAll(chunks(world));
        rows.addAll(changesAndReads(world));
        rows.addAll(photos());
        rows.addAll(albums(world));
        rows.addAll(operator());
        if (world.has("POST /v1/shares")) {
            rows.addAll(ShareRows.all(world));
        }
        if (world.has("POST /v1/links")) {
            rows.addAll(LinkRows.all(world));
        }
        if (world.has("POST /v1/albums/{albumId}/members")) {
            rows.addAll(AlbumSharingRows.all(world));
        }
        if (world.has("GET /v1/usage")) {
            rows.addAll(AccountRows.usage());
        }
        if (world.has("GET /v1/audit")) {
            rows.addAll(AccountRows.audit());
        }
        return rows;
    }

    // ---- accounts, devices, login ----

    private static List<Row> accountsAndDevices(MatrixWorld world) {
        String user = world.registrar.username();
        Map<String, String> credentials = Map.of("username", user, "password", ApiClient.passwordOf(user));
        return List.of(
                row("POST /v1/login", "the registrar's own credentials, whatever bearer is sent",
                        t -> Call.of("POST", "/v1/login", credentials))
                        .expect(everyone(200)),
                row("POST /v1/devices", "a new device of the registrar, whatever bearer is sent",
                        t -> Call.of("POST", "/v1/devices", Map.of("username", user, "password", ApiClient.passwordOf(user),
                                "deviceName", "matrix-device")))
                        .expect(everyone(201)),
                row("GET /v1/devices", "the caller's own devices", t -> Call.get("/v1/devices"))
                        .expect(anyDevice(200)),
                row("DELETE /v1/devices/{deviceId}", "a throwaway device of the owner",
                        t -> Call.delete("/v1/devices/" + t.throwawayDevice()))
                        .expectLeakChecked(ownerOnly(204)));
    }

    // ---- chunks ----

    private static List<Row> chunks(MatrixWorld world) {
        return List.of(
                row("PUT /v1/chunks/{chunkId}", "new bytes (an upload proves possession: any device)", t -> {
                    byte[] bytes = fresh();
                    return new Call("PUT", "/v1/chunks/" + Sha256.hex(bytes), bytes, Map.of("Content-Type", "application/octet-stream"));
                }).expect(anyDevice(201)),
                row("PUT /v1/chunks/{chunkId} consumes=application/vnd.cumulus.chunk-delta",
                        "new bytes as a delta against the shared file's chunk", t -> {
                            byte[] base = world.contentOf(t.chunk());
                            byte[] bytes = (new String(base, StandardCharsets.UTF_8) + fresh().length + UUID.randomUUID())
                                    .getBytes(StandardCharsets.UTF_8);
                            return new Call("PUT", "/v1/chunks/" + Sha256.hex(bytes) + "?base=" + t.chunk(),
                                    DeltaEncoder.encode(base, bytes), Map.of("Content-Type", "application/vnd.cumulus.chunk-delta"));
                        })
                        .expectLeakChecked(device(201, 201, 201, 422, 422, 422)),
                row("POST /v1/chunks/pack", "new bytes in a pack (any device)", t -> {
                    byte[] bytes = fresh();
                    ByteArrayOutputStream pack = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(pack)) {
                        out.write(HexFormat.of().parseHex(Sha256.hex(bytes)));
                        out.writeInt(bytes.length);
                        out.write(bytes);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return new Call("POST", "/v1/chunks/pack", pack.toByteArray(), Map.of("Content-Type", "application/vnd.cumulus.chunk-pack"));
                }).expect(anyDevice(200)),
                row("POST /v1/chunks/missing", "the shared file's chunk (an answer about the caller's own account)",
                        t -> Call.of("POST", "/v1/chunks/missing", Map.of("chunkIds", List.of(t.chunk()))))
                        .expectLeakChecked(anyDevice(200)),
                row("POST /v1/chunks/fetch", "the shared file's chunk (left out of the pack where not readable)",
                        t -> Call.of("POST", "/v1/chunks/fetch", Map.of("chunkIds", List.of(t.chunk()))))
                        .expectLeakChecked(anyDevice(200)),
                row("GET /v1/chunks/{chunkId}", "the shared file's chunk", t -> Call.get("/v1/chunks/" + t.chunk()))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/chunks/{chunkId} params=base", "the shared file's chunk against itself",
                        t -> Call.get("/v1/chunks/" + t.chunk() + "?base=" + t.chunk()))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/chunks/{chunkId}/signature", "the shared file's chunk",
                        t -> Call.get("/v1/chunks/" + t.chunk() + "/signature"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)));
    }

    private static byte[] fresh() {
        return ("matrix-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    }

    // ---- changes, reads, history, conflicts ----

    private static List<Row> changesAndReads(MatrixWorld world) {
        return List.of(
                row("POST /v1/changes", "a new file in the shared folder", (t, asker) -> new Call("POST", "/v1/changes",
                        ApiClient.oneFileBatch(t.sharedNamespace(), "new-" + UUID.randomUUID(), "new-" + UUID.randomUUID() + ".txt",
                                Map.of(asker.deviceId(), 1), t.chunk(), world.contentOf(t.chunk()).length),
                        Map.of("Idempotency-Key", "matrix-" + UUID.randomUUID())))
                        .expectLeakChecked(device(202, 202, 404, 404, 404, 404)),
                row("POST /v1/changes", "a new file in the owner's home", (t, asker) -> new Call("POST", "/v1/changes",
                        ApiClient.oneFileBatch(t.homeNamespace(), "new-" + UUID.randomUUID(), "new-" + UUID.randomUUID() + ".txt",
                                Map.of(asker.deviceId(), 1), t.chunk(), world.contentOf(t.chunk()).length),
                        Map.of("Idempotency-Key", "matrix-" + UUID.randomUUID())))
                        .expectLeakChecked(ownerOnly(202)),
                row("GET /v1/batches/{batchId}", "the owner's batch (a batch is its submitter's)",
                        t -> Call.get("/v1/batches/" + t.batch()))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/namespaces/{namespaceId}/changes", "the shared folder",
                        t -> Call.get("/v1/namespaces/" + t.sharedNamespace() + "/changes"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/namespaces/{namespaceId}/changes", "the owner's home",
                        t -> Call.get("/v1/namespaces/" + t.homeNamespace() + "/changes"))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/namespaces/{namespaceId}/files", "the shared folder",
                        t -> Call.get("/v1/namespaces/" + t.sharedNamespace() + "/files"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/namespaces/{namespaceId}/files", "the owner's home",
                        t -> Call.get("/v1/namespaces/" + t.homeNamespace() + "/files"))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/namespaces/{namespaceId}/devices/cursors", "the shared folder",
                        t -> Call.get("/v1/namespaces/" + t.sharedNamespace() + "/devices/cursors"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/namespaces/{namespaceId}/trash", "the shared folder",
                        t -> Call.get("/v1/namespaces/" + t.sharedNamespace() + "/trash"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/namespaces/{namespaceId}/conflicts", "the shared folder",
                        t -> Call.get("/v1/namespaces/" + t.sharedNamespace() + "/conflicts"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("POST /v1/namespaces/{namespaceId}/conflicts/{copyFileId}/resolve", "the shared folder's conflicted copy",
                        t -> new Call("POST", "/v1/namespaces/" + t.sharedNamespace() + "/conflicts/" + t.conflictCopy() + "/resolve",
                                Map.of("keep", "both"), Map.of("Idempotency-Key", "matrix-" + UUID.randomUUID())))
                        .expectLeakChecked(device(202, 202, 404, 404, 404, 404)),
                row("GET /v1/files/{fileId}", "the shared folder's file", t -> Call.get("/v1/files/" + t.sharedFile()))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/files/{fileId}", "the shared folder's file, its namespace named",
                        t -> Call.get("/v1/files/" + t.sharedFile() + "?namespace=" + t.sharedNamespace()))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/files/{fileId}", "the owner's home file", t -> Call.get("/v1/files/" + t.homeFile()))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/files/{fileId}/versions", "the shared folder's file",
                        t -> Call.get("/v1/files/" + t.sharedFile() + "/versions"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/files/{fileId}/versions", "the owner's home file",
                        t -> Call.get("/v1/files/" + t.homeFile() + "/versions"))
                        .expectLeakChecked(ownerOnly(200)),
                row("POST /v1/files/{fileId}/restore", "version 1 of the shared folder's file",
                        t -> new Call("POST", "/v1/files/" + t.sharedFile() + "/restore", Map.of("version", 1),
                                Map.of("Idempotency-Key", "matrix-" + UUID.randomUUID())))
                        .expectLeakChecked(device(202, 202, 404, 404, 404, 404)),
                row("POST /v1/files/{fileId}/restore", "version 1 of the owner's home file",
                        t -> new Call("POST", "/v1/files/" + t.homeFile() + "/restore", Map.of("version", 1),
                                Map.of("Idempotency-Key", "matrix-" + UUID.randomUUID())))
                        .expectLeakChecked(ownerOnly(202)));
    }

    // ---- photos ----

    private static List<Row> photos() {
        return List.of(
                row("GET /v1/photos", "the caller's own timeline", t -> Call.get("/v1/photos")).expect(anyDevice(200)),
                row("GET /v1/photos/days", "the caller's own library", t -> Call.get("/v1/photos/days")).expect(anyDevice(200)),
                row("GET /v1/photos/months", "the caller's own library", t -> Call.get("/v1/photos/months")).expect(anyDevice(200)),
                row("GET /v1/photos/places", "the caller's own library", t -> Call.get("/v1/photos/places")).expect(anyDevice(200)),
                row("GET /v1/photos/{fileId}", "the owner's photo", t -> Call.get("/v1/photos/" + t.photo()))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/photos/{fileId}/thumbnail", "the owner's photo", t -> Call.get("/v1/photos/" + t.photo() + "/thumbnail"))
                        .expectLeakChecked(ownerOnly(200)),
                row("GET /v1/photos/{fileId}/preview", "the owner's photo", t -> Call.get("/v1/photos/" + t.photo() + "/preview"))
                        .expectLeakChecked(ownerOnly(200)),
                row("PUT /v1/photos/{fileId}/favourite", "the owner's photo",
                        t -> Call.of("PUT", "/v1/photos/" + t.photo() + "/favourite", null))
                        .expectLeakChecked(ownerOnly(200)),
                row("DELETE /v1/photos/{fileId}/favourite", "the owner's photo",
                        t -> Call.delete("/v1/photos/" + t.photo() + "/favourite"))
                        .expectLeakChecked(ownerOnly(200)));
    }

    // ---- albums ----

    /**
     * The album rows. Once albums can be shared, the owner's albums are shared with the editor (to
     * contribute), the viewer (to view) and the removed member (removed again): members read them,
     * the contributor adds its own photos, only the owner renames, orders and deletes.
     */
    private static List<Row> albums(MatrixWorld world) {
        boolean shared = world.has("POST /v1/albums/{albumId}/members");
        Map<Relation, Integer> read = shared ? device(200, 200, 200, 404, 404, 404) : ownerOnly(200);
        Map<Relation, Integer> ownersChange = shared ? device(200, 403, 403, 404, 404, 404) : ownerOnly(200);
        return List.of(
                row("GET /v1/albums", "the caller's own albums", t -> Call.get("/v1/albums")).expect(anyDevice(200)),
                row("POST /v1/albums", "a new album of the caller's own", t -> Call.of("POST", "/v1/albums",
                        Map.of("name", "matrix-new-" + UUID.randomUUID())))
                        .expect(anyDevice(201)),
                row("GET /v1/albums/{albumId}", "the owner's album", t -> Call.get("/v1/albums/" + t.album()))
                        .expectLeakChecked(read),
                row("PATCH /v1/albums/{albumId}", "the owner's album, renamed",
                        t -> Call.of("PATCH", "/v1/albums/" + t.album(), Map.of("name", "matrix-renamed")))
                        .expectLeakChecked(ownersChange),
                row("POST /v1/albums/{albumId}/photos", "the owner's album, a photo of the asker's own library added",
                        (t, asker) -> Call.of("POST", "/v1/albums/" + t.album() + "/photos", Map.of("fileIds", List.of(asker.photo()))))
                        .expectLeakChecked(shared ? device(200, 200, 403, 404, 404, 404) : ownerOnly(200)),
                row("PUT /v1/albums/{albumId}/order", "the owner's throwaway album in its own order",
                        t -> Call.of("PUT", "/v1/albums/" + t.throwawayAlbum() + "/order", Map.of("fileIds", List.of(t.photo()))))
                        .expectLeakChecked(ownersChange),
                row("DELETE /v1/albums/{albumId}/photos", "an album of the owner's, the owner's photo taken out",
                        t -> Call.of("DELETE", "/v1/albums/" + world.albumToChange(t) + "/photos",
                                Map.of("fileIds", List.of(shared ? Map.of("namespaceId", t.homeNamespace(), "fileId", t.photo()) : t.photo()))))
                        .expectLeakChecked(shared ? device(200, 403, 403, 404, 404, 404) : ownerOnly(200)),
                row("DELETE /v1/albums/{albumId}", "an album of the owner's",
                        t -> Call.delete("/v1/albums/" + world.albumToChange(t)))
                        .expectLeakChecked(shared ? device(204, 403, 403, 404, 404, 404) : ownerOnly(204)));
    }

    // ---- operator ----

    private static List<Row> operator() {
        return List.of(
                row("POST /v1/admin/accounts", "a new account", t -> Call.of("POST", "/v1/admin/accounts",
                        Map.of("username", "matrix" + UUID.randomUUID().toString().substring(0, 8), "password", "a-long-password-1")))
                        .expect(admin(201)),
                row("POST /v1/admin/fsck", "the whole store, checked without repair", t -> Call.of("POST", "/v1/admin/fsck", null))
                        .expect(admin(200)),
                row("* /error", "the container's error page, asked for directly", t -> Call.get("/error"))
                        .expect(everyone(500)));
    }
}
