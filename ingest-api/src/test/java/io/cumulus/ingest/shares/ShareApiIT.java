package io.cumulus.ingest.shares;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;

/** The shares API over HTTP against a real PostgreSQL: the lifecycle of a shared folder and who may do what to it. */
class ShareApiIT {
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

    // ---- helpers

    private static Response call(Device device, String method, String path, Object body) {
        return client.send(method, path, device.token(), body, Map.of());
    }

    private static String createShare(Device owner, String name, String mountPath) {
        Response r = call(owner, "POST", "/v1/shares", Map.of("name", name, "mountPath", mountPath));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("shareId").asString();
    }

    private static void invite(Device owner, String share, String username, String role) {
        Response r = call(owner, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", username, "role", role));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static Response accept(Device member, String share, String mountPath) {
        return call(member, "POST", "/v1/shares/" + share + "/accept", Map.of("mountPath", mountPath));
    }

    /** A share owned by {@code owner} with {@code member} in it as {@code role}. */
    private static String shareWith(Device owner, Device member, String role) {
        String share = createShare(owner, "Family", "Family-" + UUID.randomUUID());
        invite(owner, share, member.username(), role);
        Response accepted = accept(member, share, "Shared/Family-" + UUID.randomUUID());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        return share;
    }

    private static JsonNode login(Device device) {
        Response r = client.send("POST", "/v1/login", null,
                Map.of("username", device.username(), "password", ApiClient.passwordOf(device.username())), Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode namespaceEntry(JsonNode login, String namespaceId) {
        for (JsonNode n : login.get("namespaces")) {
            if (n.get("id").asString().equals(namespaceId)) {
                return n;
            }
        }
        return null;
    }

    /** Rows of every table a share request may change, to show that a refused one changed none. */
    private record Footprint(long namespaces, long members, long invitations, long accountChunks, String roles, String mounts) {
    }

    private static Footprint footprint() {
        return new Footprint(api.count("select count(*) from ingest.namespaces"),
                api.count("select count(*) from ingest.namespace_members"),
                api.count("select count(*) from ingest.share_invitations"),
                api.count("select count(*) from ingest.account_chunks"),
                String.valueOf(api.count("select coalesce(sum(hashtext(namespace_id::text || account_id::text || role)), 0) from ingest.namespace_members")),
                String.valueOf(api.count("select coalesce(sum(hashtext(coalesce(mount_path, '-'))), 0) from ingest.namespace_members")));
    }

    private static Response submitOneFile(Device device, String namespace, String path, byte[] content) {
        String chunk = client.upload(device, content);
        return client.submit(device, "k-" + UUID.randomUUID(), ApiClient.oneFileBatch(namespace, "f-" + UUID.randomUUID(), path,
                Map.of(device.id(), 1), chunk, content.length));
    }

    // ---- creating and listing

    @Test
    void anOwnerCreatesAShareMountedWhereItSaysAndSeesItInItsListAndLogin() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");

        // when
        Response created = call(alice, "POST", "/v1/shares", Map.of("name", "Family", "mountPath", "Shared/Family"));

        // then
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode entry = created.json();
        String share = entry.get("shareId").asString();
        assertThat(entry.get("name").asString()).isEqualTo("Family");
        assertThat(entry.get("mountPath").asString()).isEqualTo("Shared/Family");
        assertThat(entry.get("role").asString()).isEqualTo("owner");
        JsonNode list = call(alice, "GET", "/v1/shares", null).json();
        assertThat(list.get("shares")).hasSize(1);
        assertThat(list.get("shares").get(0).get("shareId").asString()).isEqualTo(share);
        assertThat(list.get("shares").get(0).get("owner").asString()).isEqualTo(alice.username());
        assertThat(list.get("shares").get(0).get("mountPath").asString()).isEqualTo("Shared/Family");
        assertThat(list.get("invitations")).isEmpty();
        JsonNode inLogin = namespaceEntry(login(alice), share);
        assertThat(inLogin).isNotNull();
        assertThat(inLogin.get("kind").asString()).isEqualTo("shared");
        assertThat(inLogin.get("role").asString()).isEqualTo("owner");
        assertThat(inLogin.get("mountPath").asString()).isEqualTo("Shared/Family");
        assertThat(namespaceEntry(login(alice), alice.namespace()).get("mountPath").isNull()).isTrue();
        assertThat(call(alice, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(200);
    }

    // ---- invitations

    @Test
    void invitingAnExistingAndAnUnknownUsernameAnswerAlike() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = createShare(alice, "Family", "Family");
        String nobody = ApiClient.uniqueName("nobody");

        // when
        Response existing = call(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", bob.username(), "role", "editor"));
        Response unknown = call(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", nobody, "role", "editor"));

        // then
        assertThat(existing.status()).isEqualTo(201);
        assertThat(unknown.status()).isEqualTo(201);
        assertThat(unknown.body().replace(nobody, "NAME")).isEqualTo(existing.body().replace(bob.username(), "NAME"));
        assertThat(unknown.header("Location").orElseThrow().replace(nobody, "NAME"))
                .isEqualTo(existing.header("Location").orElseThrow().replace(bob.username(), "NAME"));
        JsonNode detail = call(alice, "GET", "/v1/shares/" + share, null).json();
        assertThat(detail.get("invitations")).hasSize(2);
    }

    @Test
    void anInviteeSeesItsInvitationButNotTheShareUntilItAccepts() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = createShare(alice, "Family", "Family");

        // when
        invite(alice, share, bob.username().toUpperCase(), "editor");

        // then
        JsonNode invitations = call(bob, "GET", "/v1/shares", null).json().get("invitations");
        assertThat(invitations).hasSize(1);
        assertThat(invitations.get(0).get("shareId").asString()).isEqualTo(share);
        assertThat(invitations.get(0).get("name").asString()).isEqualTo("Family");
        assertThat(invitations.get(0).get("role").asString()).isEqualTo("editor");
        assertThat(invitations.get(0).get("invitedBy").asString()).isEqualTo(alice.username());
        assertThat(invitations.get(0).get("invitedAt").asString()).isNotBlank();
        assertThat(call(bob, "GET", "/v1/shares/" + share, null).problem()).isEqualTo("share-not-found");
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(404);
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/changes", null).status()).isEqualTo(404);

        // and when it accepts
        Response accepted = accept(bob, share, "Shared/Family");

        // then
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().get("shareId").asString()).isEqualTo(share);
        assertThat(accepted.json().get("role").asString()).isEqualTo("editor");
        assertThat(accepted.json().get("owner").asString()).isEqualTo(alice.username());
        assertThat(accepted.json().get("mountPath").asString()).isEqualTo("Shared/Family");
        assertThat(call(bob, "GET", "/v1/shares", null).json().get("invitations")).isEmpty();
        JsonNode detail = call(bob, "GET", "/v1/shares/" + share, null).json();
        assertThat(detail.get("members")).hasSize(2);
        assertThat(detail.get("members").get(0).get("username").asString()).isEqualTo(alice.username());
        assertThat(detail.get("members").get(0).get("role").asString()).isEqualTo("owner");
        assertThat(detail.get("members").get(1).get("accountId").asString()).isEqualTo(bob.accountId());
        assertThat(detail.has("invitations")).as("only the owner sees invitations").isFalse();
        assertThat(namespaceEntry(login(bob), share).get("mountPath").asString()).isEqualTo("Shared/Family");
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(200);
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/changes", null).status()).isEqualTo(200);
        assertThat(accept(bob, share, "Shared/Family").status()).as("a retried accept").isEqualTo(200);
    }

    @Test
    void aDeclinedOrWithdrawnInvitationCannotBeAccepted() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        Device carol = client.newAccountWithDevice("carol", "Laptop");
        String share = createShare(alice, "Family", "Family");
        invite(alice, share, bob.username(), "viewer");
        invite(alice, share, carol.username(), "viewer");

        // when
        Response declined = call(bob, "POST", "/v1/shares/" + share + "/decline", null);
        Response withdrawn = call(alice, "DELETE", "/v1/shares/" + share + "/invitations/" + carol.username(), null);

        // then
        assertThat(declined.status()).isEqualTo(204);
        assertThat(withdrawn.status()).isEqualTo(204);
        assertThat(call(bob, "GET", "/v1/shares", null).json().get("invitations")).isEmpty();
        assertThat(call(carol, "GET", "/v1/shares", null).json().get("invitations")).isEmpty();
        assertThat(accept(bob, share, "Family").problem()).isEqualTo("share-not-found");
        assertThat(accept(carol, share, "Family").problem()).isEqualTo("share-not-found");
        assertThat(call(bob, "POST", "/v1/shares/" + share + "/decline", null).problem()).isEqualTo("share-not-found");
        assertThat(api.count("select count(*) from ingest.namespace_members where namespace_id = ?::uuid", share)).isEqualTo(1);
    }

    // ---- leaving, removing, roles, ownership

    @Test
    void aMemberLeavesButTheOwnerMustTransferFirst() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = shareWith(alice, bob, "editor");

        // when
        Response ownerLeaves = call(alice, "POST", "/v1/shares/" + share + "/leave", null);
        Response memberLeaves = call(bob, "POST", "/v1/shares/" + share + "/leave", null);

        // then
        assertThat(ownerLeaves.status()).isEqualTo(409);
        assertThat(ownerLeaves.problem()).isEqualTo("owner-cannot-leave");
        assertThat(ownerLeaves.json().get("detail").asString()).contains("transfer");
        assertThat(memberLeaves.status()).isEqualTo(204);
        assertThat(call(bob, "GET", "/v1/shares/" + share, null).problem()).isEqualTo("share-not-found");
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(404);
        assertThat(call(bob, "GET", "/v1/shares", null).json().get("shares")).isEmpty();
        assertThat(call(alice, "GET", "/v1/shares/" + share, null).json().get("members")).hasSize(1);
    }

    @Test
    void aRemovedMemberLosesTheShareAndItsChunksAtOnce() {
        // given a share with a file bob can read
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = shareWith(alice, bob, "editor");
        byte[] content = ("only in the share " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertThat(submitOneFile(alice, share, "a.txt", content).status()).isEqualTo(202);
        String chunk = io.cumulus.sync.hash.Sha256.hex(content);
        assertThat(call(bob, "GET", "/v1/chunks/" + chunk, null).status()).isEqualTo(200);

        // when
        Response removed = call(alice, "DELETE", "/v1/shares/" + share + "/members/" + bob.accountId(), null);

        // then
        assertThat(removed.status()).isEqualTo(204);
        assertThat(call(bob, "GET", "/v1/shares/" + share, null).problem()).isEqualTo("share-not-found");
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(404);
        assertThat(call(bob, "GET", "/v1/namespaces/" + share + "/changes", null).status()).isEqualTo(404);
        assertThat(call(bob, "GET", "/v1/chunks/" + chunk, null).status()).isEqualTo(404);
        assertThat(submitOneFile(bob, share, "b.txt", "bob's".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(404);
        assertThat(call(alice, "GET", "/v1/chunks/" + chunk, null).status()).isEqualTo(200);
        assertThat(call(alice, "DELETE", "/v1/shares/" + share + "/members/" + alice.accountId(), null).problem())
                .isEqualTo("owner-cannot-leave");
        assertThat(call(alice, "DELETE", "/v1/shares/" + share + "/members/" + bob.accountId(), null).problem())
                .isEqualTo("share-member-not-found");
    }

    @Test
    void aViewerCannotWriteUntilTheOwnerMakesItAnEditor() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = shareWith(alice, bob, "viewer");
        long batches = api.count("select count(*) from ingest.batches");

        // when a viewer writes
        Response asViewer = submitOneFile(bob, share, "mine.txt", "bob's".getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(asViewer.status()).isEqualTo(404);
        assertThat(api.count("select count(*) from ingest.batches")).isEqualTo(batches);

        // and when the owner makes it an editor
        Response changed = call(alice, "PUT", "/v1/shares/" + share + "/members/" + bob.accountId(), Map.of("role", "editor"));

        // then
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("role").asString()).isEqualTo("editor");
        assertThat(submitOneFile(bob, share, "mine.txt", "bob's".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(202);
        assertThat(call(alice, "PUT", "/v1/shares/" + share + "/members/" + alice.accountId(), Map.of("role", "viewer")).problem())
                .isEqualTo("owner-role-fixed");
    }

    @Test
    void theOwnerTransfersTheOwnershipToAMemberAndBecomesAnEditor() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        Device carol = client.newAccountWithDevice("carol", "Laptop");
        String share = shareWith(alice, bob, "viewer");

        // when
        Response toStranger = call(alice, "POST", "/v1/shares/" + share + "/owner", Map.of("accountId", carol.accountId()));
        Response transferred = call(alice, "POST", "/v1/shares/" + share + "/owner", Map.of("accountId", bob.accountId()));

        // then
        assertThat(toStranger.problem()).isEqualTo("share-member-not-found");
        assertThat(transferred.status()).as(transferred.toString()).isEqualTo(200);
        assertThat(transferred.json().get("owner").asString()).isEqualTo(bob.username());
        assertThat(transferred.json().get("role").asString()).isEqualTo("editor");
        assertThat(api.count("select count(*) from ingest.namespaces where id = ?::uuid and owner_account = ?::uuid", share, bob.accountId()))
                .isEqualTo(1);
        Response aliceInvites = call(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", carol.username(), "role", "viewer"));
        assertThat(aliceInvites.status()).isEqualTo(403);
        assertThat(aliceInvites.problem()).isEqualTo("not-share-owner");
        invite(bob, share, carol.username(), "viewer");
        assertThat(call(alice, "POST", "/v1/shares/" + share + "/leave", null).status()).isEqualTo(204);
        assertThat(call(bob, "POST", "/v1/shares/" + share + "/leave", null).problem()).isEqualTo("owner-cannot-leave");
    }

    // ---- mount paths

    @Test
    void twoMountsOfOneAccountMayNeitherCoincideNorNest() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String first = createShare(alice, "Family", "Shared/Family");
        String second = createShare(alice, "Work", "Work");
        invite(alice, second, bob.username(), "editor");
        Footprint before = footprint();

        // when / then
        for (String taken : List.of("Shared/Family", "shared/FAMILY", "Shared", "Shared/Family/Photos")) {
            Response r = call(alice, "POST", "/v1/shares", Map.of("name", "Other", "mountPath", taken));
            assertThat(r.status()).as(taken + ": " + r).isEqualTo(409);
            assertThat(r.problem()).isEqualTo("mount-path-taken");
            Response moved = call(alice, "PUT", "/v1/shares/" + second + "/mount", Map.of("mountPath", taken));
            assertThat(moved.problem()).as(taken).isEqualTo("mount-path-taken");
        }
        assertThat(footprint()).isEqualTo(before);
        // a different account may use the same path, and a member may move its own mount
        assertThat(accept(bob, second, "Shared/Family").status()).isEqualTo(200);
        Response moved = call(alice, "PUT", "/v1/shares/" + second + "/mount", Map.of("mountPath", "Shared/Work"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("mountPath").asString()).isEqualTo("Shared/Work");
        assertThat(call(alice, "PUT", "/v1/shares/" + first + "/mount", Map.of("mountPath", "Shared/Family")).status())
                .as("moving a mount onto itself").isEqualTo(200);
    }

    // ---- bad input

    @Test
    void badInputIsRefusedWithAProblemAndChangesNothing() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = createShare(alice, "Family", "Family");
        invite(alice, share, bob.username(), "editor");
        Footprint before = footprint();

        // when / then
        record Bad(Device device, String method, String path, Object body, int status, String problem) {
        }
        List<Bad> bad = new ArrayList<>(List.of(
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "", "mountPath", "X"), 400, "invalid-share-name"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "   ", "mountPath", "X"), 400, "invalid-share-name"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "a\nb", "mountPath", "X"), 400, "invalid-share-name"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "x".repeat(256), "mountPath", "X"), 400, "invalid-share-name"),
                new Bad(alice, "POST", "/v1/shares", Map.of("mountPath", "X"), 400, "invalid-share-name"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N", "mountPath", "../x"), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N", "mountPath", "/abs"), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N", "mountPath", "a//b"), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N", "mountPath", ""), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N", "mountPath", ".cumulus"), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", Map.of("name", "N"), 400, "invalid-mount-path"),
                new Bad(alice, "POST", "/v1/shares", "{not json", 400, "malformed-json"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "carol", "role", "owner"), 400, "invalid-role"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "carol", "role", "EDITOR"), 400, "invalid-role"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "carol"), 400, "invalid-role"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "no spaces", "role", "viewer"), 400, "invalid-username"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", alice.username(), "role", "viewer"), 409, "already-share-member"),
                new Bad(bob, "POST", "/v1/shares/" + share + "/accept", Map.of("mountPath", "../x"), 400, "invalid-mount-path"),
                new Bad(bob, "POST", "/v1/shares/" + share + "/accept", Map.of("mountPath", "/abs"), 400, "invalid-mount-path"),
                new Bad(bob, "POST", "/v1/shares/" + share + "/accept", Map.of(), 400, "invalid-mount-path"),
                new Bad(alice, "PUT", "/v1/shares/" + share + "/members/" + bob.accountId(), Map.of("role", "admin"), 400, "invalid-role"),
                new Bad(alice, "POST", "/v1/shares/" + share + "/owner", Map.of("accountId", "not-a-uuid"), 400, "invalid-request"),
                new Bad(alice, "PUT", "/v1/shares/" + share + "/members/not-a-uuid", Map.of("role", "viewer"), 404, "share-member-not-found"),
                new Bad(alice, "DELETE", "/v1/shares/" + share + "/members/not-a-uuid", null, 404, "share-member-not-found"),
                new Bad(alice, "GET", "/v1/shares/not-a-uuid", null, 404, "share-not-found"),
                new Bad(alice, "POST", "/v1/shares/not-a-uuid/invitations", Map.of("username", "carol", "role", "viewer"), 404, "share-not-found"),
                new Bad(bob, "POST", "/v1/shares/" + share.toUpperCase() + "x/accept", Map.of("mountPath", "F"), 404, "share-not-found")));
        for (Bad b : bad) {
            Response r = call(b.device(), b.method(), b.path(), b.body());
            assertThat(r.status()).as(b + " -> " + r).isEqualTo(b.status());
            assertThat(r.contentType()).as(b.toString()).startsWith("application/problem+json");
            assertThat(r.problem()).as(b + " -> " + r).isEqualTo(b.problem());
        }
        assertThat(footprint()).isEqualTo(before);
    }

    // ---- who gets what

    @Test
    void aShareAnswersOutsidersExactlyAsAShareThatDoesNotExist() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        Device mallory = client.newAccountWithDevice("mallory", "Laptop");
        String share = shareWith(alice, bob, "editor");
        Footprint before = footprint();
        String unknown = UUID.randomUUID().toString();

        // when / then: every share endpoint, for a share mallory is not in and for one that does not exist,
        // answers one body (besides the instance, which is the path asked for)
        java.util.Set<String> bodies = new java.util.HashSet<>();
        for (String id : List.of(share, unknown, "not-a-uuid")) {
            List<Response> answers = List.of(
                    call(mallory, "GET", "/v1/shares/" + id, null),
                    call(mallory, "POST", "/v1/shares/" + id + "/invitations", Map.of("username", "eve", "role", "viewer")),
                    call(mallory, "DELETE", "/v1/shares/" + id + "/invitations/" + bob.username(), null),
                    call(mallory, "POST", "/v1/shares/" + id + "/accept", Map.of("mountPath", "M")),
                    call(mallory, "POST", "/v1/shares/" + id + "/decline", null),
                    call(mallory, "POST", "/v1/shares/" + id + "/leave", null),
                    call(mallory, "PUT", "/v1/shares/" + id + "/mount", Map.of("mountPath", "M")),
                    call(mallory, "PUT", "/v1/shares/" + id + "/members/" + bob.accountId(), Map.of("role", "viewer")),
                    call(mallory, "DELETE", "/v1/shares/" + id + "/members/" + bob.accountId(), null),
                    call(mallory, "POST", "/v1/shares/" + id + "/owner", Map.of("accountId", mallory.accountId())));
            for (Response r : answers) {
                assertThat(r.status()).as(id + ": " + r).isEqualTo(404);
                assertThat(r.problem()).isEqualTo("share-not-found");
                tools.jackson.databind.node.ObjectNode body = (tools.jackson.databind.node.ObjectNode) r.json();
                body.remove("instance");
                bodies.add(body.toString());
            }
        }
        assertThat(bodies).hasSize(1);
        assertThat(bodies.iterator().next()).doesNotContain(share).doesNotContain(bob.accountId());
        assertThat(call(mallory, "GET", "/v1/namespaces/" + share + "/files", null).status()).isEqualTo(404);
        assertThat(call(mallory, "GET", "/v1/namespaces/" + share + "/changes", null).status()).isEqualTo(404);
        assertThat(footprint()).isEqualTo(before);
    }

    @Test
    void anInviteeIsNoMemberUntilItAccepts() {
        // given carol invited as an editor, not yet accepted
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        Device carol = client.newAccountWithDevice("carol", "Laptop");
        String share = shareWith(alice, bob, "editor");
        invite(alice, share, carol.username(), "editor");
        Footprint before = footprint();

        // when / then
        List<Response> answers = List.of(
                call(carol, "GET", "/v1/shares/" + share, null),
                call(carol, "POST", "/v1/shares/" + share + "/leave", null),
                call(carol, "PUT", "/v1/shares/" + share + "/mount", Map.of("mountPath", "M")),
                call(carol, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "eve", "role", "viewer")),
                call(carol, "PUT", "/v1/shares/" + share + "/members/" + bob.accountId(), Map.of("role", "viewer")),
                call(carol, "DELETE", "/v1/shares/" + share + "/members/" + bob.accountId(), null),
                call(carol, "POST", "/v1/shares/" + share + "/owner", Map.of("accountId", carol.accountId())),
                call(carol, "GET", "/v1/namespaces/" + share + "/files", null),
                call(carol, "GET", "/v1/namespaces/" + share + "/changes", null),
                submitOneFile(carol, share, "early.txt", "too early".getBytes(StandardCharsets.UTF_8)));
        for (Response r : answers) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
        }
        assertThat(answers.subList(0, 7)).allSatisfy(r -> assertThat(r.problem()).isEqualTo("share-not-found"));
        assertThat(footprint().members()).isEqualTo(before.members());
        assertThat(footprint().invitations()).isEqualTo(before.invitations());
    }

    @Test
    void aMemberWhoIsNotTheOwnerIsForbiddenTheOwnersChanges() {
        // given
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = shareWith(alice, bob, "editor");
        Footprint before = footprint();

        // when / then
        List<Response> answers = List.of(
                call(bob, "POST", "/v1/shares/" + share + "/invitations", Map.of("username", "eve", "role", "viewer")),
                call(bob, "DELETE", "/v1/shares/" + share + "/invitations/eve", null),
                call(bob, "PUT", "/v1/shares/" + share + "/members/" + alice.accountId(), Map.of("role", "viewer")),
                call(bob, "DELETE", "/v1/shares/" + share + "/members/" + alice.accountId(), null),
                call(bob, "POST", "/v1/shares/" + share + "/owner", Map.of("accountId", bob.accountId())));
        for (Response r : answers) {
            assertThat(r.status()).as(r.toString()).isEqualTo(403);
            assertThat(r.problem()).isEqualTo("not-share-owner");
        }
        assertThat(footprint()).isEqualTo(before);
    }

    // ---- chunks

    @Test
    void aNewMemberCanDownloadTheChunksAlreadyInTheShare() {
        // given a share with a file whose batch is accepted but not projected yet, and one the feed shows
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = createShare(alice, "Family", "Family");
        byte[] pending = ("pending " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertThat(submitOneFile(alice, share, "pending.txt", pending).status()).isEqualTo(202);
        byte[] projected = ("projected " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String projectedChunk = client.upload(alice, projected);
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, 1, 'old', 'old.txt', 'UPSERT', '{}'::jsonb, ?::jsonb, ?, ?, 'earlier', 0, null, now())""",
                share, "[{\"id\": \"" + projectedChunk + "\", \"size\": " + projected.length + "}]", (long) projected.length, alice.id());
        String pendingChunk = io.cumulus.sync.hash.Sha256.hex(pending);
        invite(alice, share, bob.username(), "viewer");
        assertThat(call(bob, "GET", "/v1/chunks/" + pendingChunk, null).status()).isEqualTo(404);
        assertThat(call(bob, "GET", "/v1/chunks/" + projectedChunk, null).status()).isEqualTo(404);

        // when
        assertThat(accept(bob, share, "Family").status()).isEqualTo(200);

        // then
        Response first = call(bob, "GET", "/v1/chunks/" + pendingChunk, null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bytes()).isEqualTo(pending);
        Response second = call(bob, "GET", "/v1/chunks/" + projectedChunk, null);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.bytes()).isEqualTo(projected);

        // and a file added afterwards reaches it as well
        byte[] later = ("later " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertThat(submitOneFile(alice, share, "later.txt", later).status()).isEqualTo(202);
        assertThat(call(bob, "GET", "/v1/chunks/" + io.cumulus.sync.hash.Sha256.hex(later), null).bytes()).isEqualTo(later);
    }

    @Test
    void leavingKeepsTheChunksTheMembersOtherNamespacesHold() {
        // given bob has the same content in his home and in the share
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Laptop");
        String share = shareWith(alice, bob, "editor");
        byte[] content = ("both " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertThat(submitOneFile(alice, share, "a.txt", content).status()).isEqualTo(202);
        assertThat(submitOneFile(bob, bob.namespace(), "mine.txt", content).status()).isEqualTo(202);

        // when
        assertThat(call(bob, "POST", "/v1/shares/" + share + "/leave", null).status()).isEqualTo(204);

        // then
        assertThat(call(bob, "GET", "/v1/chunks/" + io.cumulus.sync.hash.Sha256.hex(content), null).status()).isEqualTo(200);
    }
}
