package io.cumulus.ingest.authz;

import static io.cumulus.ingest.authz.Expected.device;
import static io.cumulus.ingest.authz.Row.row;

import java.util.List;
import java.util.Map;

/**
 * The rows of shared albums: who an album is shared with ({@code /v1/albums/{id}/members/**}) and
 * the album-scoped derivatives of its photos. The owner's albums are shared with the editor (to
 * contribute) and the viewer (to view), and were with the removed member; the invitee and the
 * other account have nothing to do with them. Rows that take a member out work on a new album each.
 */
final class AlbumSharingRows {
    private AlbumSharingRows() {
    }

    static List<Row> all(MatrixWorld world) {
        return List.of(
                row("POST /v1/albums/{albumId}/members", "the owner's album, shared with the registrar",
                        t -> Call.of("POST", "/v1/albums/" + t.album() + "/members",
                                Map.of("username", world.registrar.username(), "role", "view")))
                        .expectLeakChecked(device(201, 403, 403, 404, 404, 404)),
                row("PUT /v1/albums/{albumId}/members/{accountId}", "the owner's album, the viewer's role set again",
                        t -> Call.of("PUT", "/v1/albums/" + t.album() + "/members/" + world.viewer.accountId(), Map.of("role", "view")))
                        .expectLeakChecked(device(200, 403, 403, 404, 404, 404)),
                row("DELETE /v1/albums/{albumId}/members/{accountId}", "an album of the owner's, the viewer removed",
                        t -> Call.delete("/v1/albums/" + world.albumToChange(t) + "/members/" + world.viewer.accountId()))
                        .expectLeakChecked(device(204, 403, 403, 404, 404, 404)),
                row("DELETE /v1/albums/{albumId}/members/me", "an album of the owner's, left (the owner cannot leave)",
                        t -> Call.delete("/v1/albums/" + world.albumToChange(t) + "/members/me"))
                        .expectLeakChecked(device(400, 204, 204, 404, 404, 404)),
                row("GET /v1/albums/{albumId}/photos/{namespaceId}/{fileId}/thumbnail", "the owner's photo in the owner's album",
                        t -> Call.get("/v1/albums/" + t.album() + "/photos/" + t.homeNamespace() + "/" + t.photo() + "/thumbnail"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)),
                row("GET /v1/albums/{albumId}/photos/{namespaceId}/{fileId}/preview", "the owner's photo in the owner's album",
                        t -> Call.get("/v1/albums/" + t.album() + "/photos/" + t.homeNamespace() + "/" + t.photo() + "/preview"))
                        .expectLeakChecked(device(200, 200, 200, 404, 404, 404)));
    }
}
