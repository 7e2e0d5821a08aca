package io.cumulus.ingest.authz;

import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.photos.albums.AlbumProjector;
import io.cumulus.photos.albums.AlbumProjectorConfig;
import io.cumulus.sync.hash.Sha256;

/**
 * The world the matrix asks about, made through the API wherever the API can make it: an owner
 * with a shared folder (a file, a conflicted copy), a home file, a photo with derivatives, albums,
 * devices (one revoked) and public links (one expired); an editor, a viewer, an invitee who has
 * not accepted and a removed member of that folder; and another account holding objects of every
 * kind of its own. The read model's rows, which the pipeline would project from the accepted
 * batches, are written here directly, as the read endpoint tests do; photos are seeded as the
 * photo worker would write them. The album projection runs, so album requests answer 200.
 */
final class MatrixWorld implements AutoCloseable {
    private static final int PARTITIONS = 1;
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

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
    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private final AlbumProjector projector;
    private final String topic;

    MatrixWorld(Map<String, Object> extraProperties) {
        topic = "album-events-matrix-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> properties = new java.util.HashMap<>(Map.of("cumulus.kafka.bootstrap-servers", bootstrapServers,
                "cumulus.photos.album-events-topic", topic, "cumulus.photos.projection-wait", "15s"));
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
        projector = startProjector(topic);
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
        seedPhoto(device.namespace(), photo, "Photos/" + photo + ".jpg");
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
        projected(share, 1, sharedFile, sharedPath, sharedChunk, device.id(), batchId, null);
        String copy = who + "-conflict-copy-" + suffix();
        String copyPath = "Docs/" + who + "-shared-" + suffix() + " (conflict).txt";
        projected(share, 2, copy, copyPath, sharedChunk, device.id(), "conflict-" + suffix(), sharedFile);
        String sharedPhoto = who + "-shared-photo-" + suffix();
        String sharedPhotoPath = "Docs/" + sharedPhoto + ".jpg";
        projected(share, 3, sharedPhoto, sharedPhotoPath, sharedChunk, device.id(), "photo-" + suffix(), null);
        seedPhoto(share, sharedPhoto, sharedPhotoPath);

        String homeChunk = upload(device, who + "-home-content-" + suffix());
        String homeFile = who + "-home-file-" + suffix();
        String homePath = who + "-home-" + suffix() + ".txt";
        require(client.submit(device, "seed-" + suffix(), ApiClient.oneFileBatch(device.namespace(), homeFile, homePath,
                Map.of(device.id(), 1), homeChunk, contentOf(homeChunk).length)), 202);
        projected(device.namespace(), 1, homeFile, homePath, homeChunk, device.id(), "home-" + suffix(), null);

        String photo = who + "-photo-" + suffix();
        seedPhoto(device.namespace(), photo, "Photos/" + photo + ".jpg");
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

    private void projected(String ns, long seq, String fileId, String path, String chunk, String deviceId, String batchId, String conflictOf) {
        String vector = "{\"" + deviceId + "\": 1}";
        int size = contentOf(chunk).length;
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": " + size + "}]";
        api.execute("""
                        insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                                    change_index, conflict_of, at)
                        values (?::uuid, ?, ?, ?, 'UPSERT', ?::jsonb, ?::jsonb, ?, ?, ?, 0, ?, ?)""",
                ns, seq, fileId, path, vector, chunks, size, deviceId, batchId, conflictOf, T0.plusSeconds(seq));
        api.execute("""
                        insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                        values (?::uuid, ?, ?, false, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""",
                ns, fileId, path, vector, chunks, size, seq, deviceId, T0.plusSeconds(seq));
    }

    private void seedPhoto(String namespace, String fileId, String path) {
        String thumbnail = storeJpeg();
        String preview = storeJpeg();
        api.execute("""
                        INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, reason, format,
                            taken_at, taken_at_offset, taken_at_source, width, height, orientation, latitude, longitude,
                            camera_make, camera_model, lens, thumbnail_id, thumbnail_size, preview_id, preview_size)
                        VALUES (?::uuid, ?, 1, ?, ?, 1000, 'ready', null, 'jpeg', ?, null, 'file', 4000, 3000, 1, 48.85, 2.35,
                            'Canon', 'EOS', 'RF 24-70mm', ?, 100, ?, 1000)""",
                namespace, fileId, path, "ab".repeat(32), T0, thumbnail, preview);
    }

    private String storeJpeg() {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, UUID.randomUUID().hashCode());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        String id = Sha256.hex(bytes);
        api.context().getBean(BlobStore.class).put(new ChunkId(id), bytes);
        return id;
    }

    /**
     * An album of the device's account holding the photo; the owner's is shared (when the server
     * shares albums) with the editor to contribute, the viewer to view, and the removed member, removed.
     */
    private String album(Device device, String name, String photo) {
        Response created = client.send("POST", "/v1/albums", device.token(), Map.of("name", name), Map.of());
        String album = projected(device, created, 201).json().get("albumId").asString();
        projected(device, client.send("POST", "/v1/albums/" + album + "/photos", device.token(), Map.of("fileIds", List.of(photo)), Map.of()), 200);
        if (device == owner && has("POST /v1/albums/{albumId}/members")) {
            for (Map.Entry<Device, String> member : Map.of(editor, "contribute", viewer, "view", removed, "view").entrySet()) {
                projected(owner, client.send("POST", "/v1/albums/" + album + "/members", owner.token(),
                        Map.of("username", member.getKey().username(), "role", member.getValue()), Map.of()), 201);
            }
            projected(owner, client.send("DELETE", "/v1/albums/" + album + "/members/" + removed.accountId(), owner.token(), null,
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
    private Response projected(Device device, Response r, int expected) {
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
        long end;
        try (Admin admin = admin()) {
            end = admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all().get()
                    .get(new TopicPartition(topic, 0)).offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> api.count(
                "SELECT coalesce(max(next_offset), 0) FROM photos.consumer_positions WHERE topic = ? AND partition = 0", topic) >= end);
    }

    // ---- plumbing ----

    private AlbumProjector startProjector(String topic) {
        String group = "album-projector-matrix-" + UUID.randomUUID();
        AlbumProjector started = new AlbumProjector(AlbumProjectorConfig.of(bootstrapServers, api.postgres().dataSource())
                .withTopic(topic).withGroupId(group).withMaxRetryBackoff(Duration.ofSeconds(1)));
        started.start();
        try (Admin admin = admin()) {
            // an album request answers 202 while the projection is late: the rows expect it there from the start
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS);
        }
        return started;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
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
        projector.close();
        api.close();
    }
}
