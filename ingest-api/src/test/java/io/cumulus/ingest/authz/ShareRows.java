package io.cumulus.ingest.authz;

import static io.cumulus.ingest.authz.Expected.anyDevice;
import static io.cumulus.ingest.authz.Expected.device;
import static io.cumulus.ingest.authz.Row.row;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The rows of the shares API ({@code /v1/shares/**}). A non-member, the invitee included until it
 * accepts, is told the share does not exist (404); a member asking for an owner's change is told it
 * is not the owner (403). Rows that change a share for good each work on a share of their own
 * ({@link MatrixWorld#shareToChange}).
 */
final class ShareRows {
    private ShareRows() {
    }

    static List<Row> all(MatrixWorld world) {
        return List.of(
                row("POST /v1/shares", "a new share of the caller's own", t -> Call.of("POST", "/v1/shares",
                        Map.of("name", "matrix-share", "mountPath", "matrix-share-" + UUID.randomUUID())))
                        .expect(anyDevice(201)),
                row("GET /v1/shares", "the caller's own shares and invitations", t -> Call.get("/v1/shares"))
                        .expect(anyDevice(200)),
                row("GET /v1/shares/{shareId}", "the owner's share", t -> Call.get("/v1/shares/" + t.sharedNamespace()))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("PUT /v1/shares/{shareId}/mount", "the owner's share, mounted somewhere new",
                        t -> Call.of("PUT", "/v1/shares/" + t.sharedNamespace() + "/mount",
                                Map.of("mountPath", "matrix-mount-" + UUID.randomUUID())))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("POST /v1/shares/{shareId}/invitations", "the owner's share, inviting a name no account has",
                        t -> Call.of("POST", "/v1/shares/" + t.sharedNamespace() + "/invitations",
                                Map.of("username", "nobody" + UUID.randomUUID().toString().substring(0, 8), "role", "viewer")))
                        .expectLeakChecked(device(201, 403, 403, 404, 404, 404)),
                row("DELETE /v1/shares/{shareId}/invitations/{username}", "a share of the owner's, the invitee's invitation",
                        t -> Call.delete("/v1/shares/" + world.shareToChange(t) + "/invitations/" + world.invited.username()))
                        .expectLeakChecked(device(204, 403, 403, 404, 404, 404)),
                row("POST /v1/shares/{shareId}/accept", "a share of the owner's (a member's accept answers its membership)",
                        t -> Call.of("POST", "/v1/shares/" + world.shareToChange(t) + "/accept",
                                Map.of("mountPath", "matrix-accepted-" + UUID.randomUUID())))
                        .expectLeakChecked(device(200, 200, 200, 200, 404, 404)),
                row("POST /v1/shares/{shareId}/decline", "a share of the owner's (a member has no invitation to decline)",
                        t -> Call.of("POST", "/v1/shares/" + world.shareToChange(t) + "/decline", null))
                        .expectLeakChecked(device(404, 404, 404, 204, 404, 404)),
                row("POST /v1/shares/{shareId}/leave", "a share of the owner's (the owner cannot leave)",
                        t -> Call.of("POST", "/v1/shares/" + world.shareToChange(t) + "/leave", null))
                        .expectLeakChecked(device(409, 204, 204, 404, 404, 404)),
                row("PUT /v1/shares/{shareId}/members/{accountId}", "a share of the owner's, the viewer made an editor",
                        t -> Call.of("PUT", "/v1/shares/" + world.shareToChange(t) + "/members/" + world.viewer.accountId(),
                                Map.of("role", "editor")))
                        .expectLeakChecked(device(200, 403, 403, 404, 404, 404)),
                row("DELETE /v1/shares/{shareId}/members/{accountId}", "a share of the owner's, the viewer removed",
                        t -> Call.delete("/v1/shares/" + world.shareToChange(t) + "/members/" + world.viewer.accountId()))
                        .expectLeakChecked(device(204, 403, 403, 404, 404, 404)),
                row("POST /v1/shares/{shareId}/owner", "a share of the owner's, handed to the editor",
                        t -> Call.of("POST", "/v1/shares/" + world.shareToChange(t) + "/owner",
                                Map.of("accountId", world.editor.accountId())))
                        .expectLeakChecked(device(200, 403, 403, 404, 404, 404)));
    }
}
