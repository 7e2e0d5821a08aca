package io.cumulus.ingest.authz;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.photos.PhotosSchema;

/**
 * The world the matrix asks about, made through the API wherever the API can make it: an owner
 * with a shared folder (a file, a conflicted copy), a home file, a photo with derivatives, albums,
 * devices (one revoked) and public links (one expired); an editor, a viewer, an invitee who has
 * not accepted and a removed member of that folder; and another account holding objects of every
 * kind of its own. The rows the pipeline would write (the read model's files and feed, photos
 * with derivatives) are written directly ({@link PipelineRows}), as the read endpoint tests do.
 * The album projection runs ({@link AlbumProjection}), so album requests answer 200.
 */
final class MatrixWorld implements AutoCloseable {
    final RunningIngestApi api;
    final ApiClient client;
    final Set<EndpointKey> handlers;
    final Device owner;
    final Device editor;
    final Device viewer;
    final Device invited;
    final Device removed;
    final Device other;
    /** An account only the public credential endpoints (login, device registration) use. */
    final Device registrar;
    final Targets ownerTargets;
    final Targets otherTargets;
    /** The owner's names (paths, album, folder and device names) that no one unrelated may see. */
    final List<String> ownerNames = new java.util.ArrayList<>();
    private final Map<String, byte[]> chunkContents = new java.util.HashMap<>();
    private final Map<Relation, String> bearers = new EnumMap<>(Relation.class);
    private final Map<Relation, Asker> askers = new EnumMap<>(Relation.class);
    private final String expiredLinkToken;
    private final AlbumProjection projection;
    private final PipelineRows pipeline;

    MatrixWorld(Map<String, Object> extraProperties) {
        projection = new AlbumProjection();
        Map<String, Object> properties = new java.util.HashMap<>(projection.apiProperties());
        // The matrix asks thousands of questions from one address, and signs in dozens of times: the
        // gateway's limits (tested on their own) must not answer in its place.
        for (String limit : List.of("device-requests", "account-requests", "login-account", "login-address", "link-requests",
                "link-password")) {
            properties.put("cumulus.limits." + limit + ".burst", 1_000_000);
        }
        properties.putAll(extraProperties);
        api = RunningIngestApi.start(properties);
        client = api.client();
        PhotosSchema.migrate(api.postgres().dataSource());
        projection.start(api.postgres().dataSource());
        pipeline = new PipelineRows(api);
        handlers = EndpointKey.handlersOf(api.context()).keySet();

        owner = client.newAccountWithDevice("owner", "owner-laptop");
        editor = client.newAccountWithDevice("editor", "editor-laptop");
        viewer = client.newAccountWithDevice("viewer", "viewer-laptop");
        invited = client.newAccountWithDevice("invited", "invited-laptop");
        removed = client.newAccountWithDevice("removed", "removed-laptop");
        other = client.newAccountWithDevice("other", "other-laptop");
        registrar = client.newAccountWithDevice("registrar", "registrar-laptop");

        String ownerShare = ownersShare();
        String otherShare = share(other, "other-folder-" + suffix(), List.of(), Map.of(), Set.of(), Set.of());
        ownerTargets = objectsOf(owner, ownerShare);
        otherTargets = objectsOf(other, otherShare);
        expiredLinkToken = expiredLink(owner, ownerShare);

        Device revoked = client.registerDevice(owner.username(), "owner-old-phone");
        Response revocation = client.send("DELETE", "/v1/devices/" + revoked.id(), owner.token(), null, Map.of());
        require(revocation, 204);

        bearers.put(Relation.OWNER, owner.token());
        bearers.put(Relation.EDITOR, editor.token());
        bearers.put(Relation.VIEWER, viewer.token());
        bearers.put(Relation.INVITED, invited.token());
        bearers.put(Relation.REMOVED, removed.token());
        bearers.put(Relation.OTHER, other.token());
        bearers.put(Relation.REVOKED_DEVICE, revoked.token());
        bearers.put(Relation.LINK_HOLDER, ownerTargets.linkToken());
        bearers.put(Relation.EXPIRED_LINK, expiredLinkToken);
        bearers.put(Relation.ADMIN, api.adminToken());
        Map.of(Relation.OWNER, owner, Relation.EDITOR, editor, Relation.VIEWER, viewer, Relation.INVITED, invited,
                Relation.REMOVED, removed, Relation.OTHER, other, Relation.REVOKED_DEVICE, revoked)
                .forEach((relation, device) -> askers.put(relation, new Asker(relation, device.id(), device.accountId(),
                        relation == Relation.OWNER || relation == Relation.REVOKED_DEVICE ? ownerTargets.photo() : relation == Relation.OTHER ? otherTargets.photo()
                                : ownPhoto(device))));
    }

    /** The bytes of a chunk the fixture uploaded, or bytes of no chunk. */
    byte[] contentOf(String chunkId) {
        return chunkContents.getOrDefault(chunkId, "no-such-chunk".getBytes(StandardCharsets.UTF_8));
    }

    /** The bearer token a relation sends, or null for none. */
    String bearer(Relation relation) {
        return bearers.get(relation);
    }

    /** The link token a relation holds, for the /s/ paths: the live one, the expired one, or (holding none) the live one's URL shared with it. */
    String linkToken(Relation relation) {
        return relation == Relation.EXPIRED_LINK ? expiredLinkToken : ownerTargets.linkToken();
    }

    /** Who a relation is, as a row's request names it; ids of nothing where it has no device. */
    Asker asker(Relation relation) {
        return askers.computeIfAbsent(relation, r -> new Asker(r, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "no-photo-" + UUID.randomUUID()));
    }

    /** A photo of the device's account's own library, made for it. */
    private String ownPhoto(Device device) {
        String photo = device.username() + "-photo-" + suffix();
        pipeline.photo(device.namespace(), photo, "Photos/" + photo + ".jpg");
        return photo;
    }

    Response send(Relation relation, Call call) {
        return client.send(call.method(), call.path(), bearer(relation), call.body(), call.headers());
    }

    Response send(Device device, Call call) {
        return client.send(call.method(), call.path(), device.token(), call.body(), call.headers());
    }

    boolean has(String endpoint) {
        return handlers.contains(EndpointKey.of(endpoint));
    }

    // ---- shares ----

    /**
     * For a row whose request changes a share for good (a removal, a transfer, an answer to an
     * invitation): a new share of the owner with the same members, invitee and removed member, when
     * the request is about the owner's objects; the foreign share otherwise.
     */
    String shareToChange(Targets t) {
        return t == ownerTargets ? ownersShare() : t.sharedNamespace();
    }

    /** A shared folder of the owner's: editor and viewer members, an invitation pending for the invitee, a member removed. */
    private String ownersShare() {
        return share(owner, "owner-folder-" + suffix(), List.of(editor, viewer, invited, removed),
                Map.of(editor, "editor", viewer, "viewer", invited, "viewer", removed, "viewer"), Set.of(editor, viewer, removed),
                Set.of(removed));
    }

    /**
     * A shared folder owned by {@code owner}: made through the shares API when the server has it
     * (invited, accepted, then removed as asked), otherwise written as the tables hold one.
     */
    private String share(Device owner, String name, List<Device> invitees, Map<Device, String> roles, Set<Device> accepting,
                         Set<Device> removing) {
        if (has("POST /v1/shares")) {
            Response created = client.send("POST", "/v1/shares", owner.token(), Map.of("name", name, "mountPath", name), Map.of());
            require(created, 201);
            String share = created.json().get("shareId").asString();
            for (Device invitee : invitees) {
                require(client.send("POST", "/v1/shares/" + share + "/invitations", owner.token(),
                        Map.of("username", invitee.username(), "role", roles.get(invitee)), Map.of()), 201);
            }
            for (Device member : accepting) {
                require(client.send("POST", "/v1/shares/" + share + "/accept", member.token(),
                        Map.of("mountPath", "Shared/" + name), Map.of()), 200);
            }
            for (Device member : removing) {
                require(client.send("DELETE", "/v1/shares/" + share + "/members/" + member.accountId(), owner.token(), null, Map.of()), 204);
            }
            return share;
        }
        String share = UUID.randomUUID().toString();
        api.execute("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?::uuid, 'shared', ?, ?::uuid)",
                share, name, owner.accountId());
        api.execute("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?::uuid, ?::uuid, 'owner')",
                share, owner.accountId());
        for (Device member : accepting) {
            if (!removing.contains(member)) {
                api.execute("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?::uuid, ?::uuid, ?)",
                        share, member.accountId(), roles.get(member));
            }
        }
        return share;
    }

    // ---- objects ----

    private Targets objectsOf(Device device, String share) {
        String who = device == owner ? "owner" : "other";
        // the shared folder's file, through a real batch (which grants every member its chunk), then as the pipeline would project it
        String sharedChunk = upload(device, who + "-shared-content-" + suffix());
        String sharedFile = who + "-shared-file-" + suffix();
        String sharedPath = "Docs/" + who + "-shared-" + suffix() + ".txt";
        Response batch = client.submit(device, "seed-" + suffix(), ApiClient.oneFileBatch(share, sharedFile, sharedPath,
                Map.of(device.id(), 1), sharedChunk, contentOf(sharedChunk).length));
        require(batch, 202);
        String batchId = batch.json().get("batchId").asString();
        pipeline.file(share, 1, sharedFile, sharedPath, sharedChunk, contentOf(sharedChunk).length, device.id(), batchId, null);
        String copy = who + "-conflict-copy-" + suffix();
        String copyPath = "Docs/" + who + "-shared-" + suffix() + " (conflict).txt";
        pipeline.file(share, 2, copy, copyPath, sharedChunk, contentOf(sharedChunk).length, device.id(), "conflict-" + suffix(), sharedFile);
        String sharedPhoto = who + "-shared-photo-" + suffix();
        String sharedPhotoPath = "Docs/" + sharedPhoto + ".jpg";
        pipeline.file(share, 3, sharedPhoto, sharedPhotoPath, sharedChunk, contentOf(sharedChunk).length, device.id(), "photo-" + suffix(), null);
        pipeline.photo(share, sharedPhoto, sharedPhotoPath);

        String homeChunk = upload(device, who + "-home-content-" + suffix());
        String homeFile = who + "-home-file-" + suffix();
        String homePath = who + "-home-" + suffix() + ".txt";
        require(client.submit(device, "seed-" + suffix(), ApiClient.oneFileBatch(device.namespace(), homeFile, homePath,
                Map.of(device.id(), 1), homeChunk, contentOf(homeChunk).length)), 202);
        pipeline.file(device.namespace(), 1, homeFile, homePath, homeChunk, contentOf(homeChunk).length, device.id(), "home-" + suffix(), null);

        String photo = who + "-photo-" + suffix();
        pipeline.photo(device.namespace(), photo, "Photos/" + photo + ".jpg");
        String albumName = who + "-album-" + suffix();
        String album = album(device, albumName, photo);
        String throwawayAlbumName = who + "-throwaway-album-" + suffix();
        String throwawayAlbum = album(device, throwawayAlbumName, photo);
        String throwawayName = who + "-throwaway-device-" + suffix();
        Device throwaway = client.registerDevice(device.username(), throwawayName);

        String[] link = link(device, share);
        if (device == owner) {
            ownerNames.addAll(List.of(sharedPath, copyPath, sharedPhotoPath, homePath, owner.username(), "owner-laptop", "owner-old-phone",
                    throwawayName, albumName, throwawayAlbumName, shareName(share)));
        }
        return new Targets(share, device.namespace(), sharedFile, sharedPhoto, homeFile, copy, sharedChunk, photo, album, throwawayAlbum,
                throwaway.id(), batchId, device.accountId(), device.username(), link[0], link[1]);
    }

    private String upload(Device device, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String id = client.upload(device, bytes);
        chunkContents.put(id, bytes);
        return id;
    }

    private String shareName(String share) {
        return queryString("SELECT name FROM ingest.namespaces WHERE id = ?::uuid", share);
    }

    private String queryString(String sql, Object param) {
        try (var c = api.postgres().dataSource().getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setObject(1, param);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A live public link to the folder's Docs (id, token); ids of nothing while the server has no links. */
    private String[] link(Device device, String share) {
        if (!has("POST /v1/links")) {
            return new String[] {UUID.randomUUID().toString(), "no-links-api-" + UUID.randomUUID()};
        }
        Response made = require(client.send("POST", "/v1/links", device.token(), Map.of("namespaceId", share, "path", "Docs"), Map.of()), 201);
        return new String[] {made.json().get("linkId").asString(), made.json().get("token").asString()};
    }

    /** A public link to the folder whose expiry has passed (its token): made live, then its expiry set in the past. */
    private String expiredLink(Device device, String share) {
        if (!has("POST /v1/links")) {
            return "no-links-api-" + UUID.randomUUID();
        }
        String[] link = link(device, share);
        api.execute("UPDATE ingest.links SET expires_at = now() - interval '1 day' WHERE id = ?::uuid", link[0]);
        return link[1];
    }

    /** For a row that revokes a link: a new link of the owner's, when the request is about the owner's objects. */
    String linkToChange(Targets t) {
        return t.link().equals(ownerTargets.link()) ? link(owner, t.sharedNamespace())[0] : t.link();
    }

    /** The owner's objects as a relation reaches them: the expired link's holder through the expired link. */
    Targets ownerTargetsFor(Relation relation) {
        return relation == Relation.EXPIRED_LINK ? ownerTargets.withLinkToken(expiredLinkToken) : ownerTargets;
    }

    /**
     * An album of the device's account holding the photo; the owner's is shared (when the server
     * shares albums) with the editor to contribute, the viewer to view, and the removed member, removed.
     */
    private String album(Device device, String name, String photo) {
        Response created = client.send("POST", "/v1/albums", device.token(), Map.of("name", name), Map.of());
        String album = applied(device, created, 201).json().get("albumId").asString();
        applied(device, client.send("POST", "/v1/albums/" + album + "/photos", device.token(), Map.of("fileIds", List.of(photo)), Map.of()), 200);
        if (device == owner && has("POST /v1/albums/{albumId}/members")) {
            for (Map.Entry<Device, String> member : Map.of(editor, "contribute", viewer, "view", removed, "view").entrySet()) {
                applied(owner, client.send("POST", "/v1/albums/" + album + "/members", owner.token(),
                        Map.of("username", member.getKey().username(), "role", member.getValue()), Map.of()), 201);
            }
            applied(owner, client.send("DELETE", "/v1/albums/" + album + "/members/" + removed.accountId(), owner.token(), null,
                    Map.of()), 204);
        }
        return album;
    }

    /** For a row that changes an album for good: a new album of the owner's like its throwaway one, when the request is about the owner's objects. */
    String albumToChange(Targets t) {
        return t == ownerTargets ? album(owner, "owner-fresh-album-" + suffix(), ownerTargets.photo()) : t.throwawayAlbum();
    }

    /**
     * An album change's answer: as expected, or {@code 202} when the projection was later than the
     * API waits (a cold consumer on a busy machine); then the fixture waits until the projection has
     * every album event published so far, so the next step sees the change.
     */
    private Response applied(Device device, Response r, int expected) {
        if (!deferred(r)) {
            return require(r, expected);
        }
        awaitAlbumProjection();
        return r;
    }

    /** An album change the API accepted without waiting for the projection to show it ({@code 202} with the event's id). */
    static boolean deferred(Response r) {
        return r.status() == 202 && r.contentType().contains("json") && r.json().has("eventId");
    }

    /** Waits until the album projection has every album event published so far. */
    void awaitAlbumProjection() {
        projection.awaitCaughtUp();
    }

    static Response require(Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("fixture request answered " + r + ", not " + status);
        }
        return r;
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void close() {
        projection.close();
        api.close();
    }
}
