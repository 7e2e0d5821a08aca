package io.cumulus.ingest.authz;

import static io.cumulus.ingest.authz.Expected.anyDevice;
import static io.cumulus.ingest.authz.Expected.but;
import static io.cumulus.ingest.authz.Expected.device;
import static io.cumulus.ingest.authz.Expected.everyone;
import static io.cumulus.ingest.authz.Expected.ownerOnly;
import static io.cumulus.ingest.authz.Row.row;

import java.util.List;
import java.util.Map;

/**
 * The rows of public links: making, listing and revoking them with a device ({@code /v1/links}),
 * and the public surface ({@code /s/{token}}). On {@code /s/} the token in the address is the only
 * credential: whoever holds the live link's address gets the folder whatever bearer it sends (a
 * device, the admin, nothing), and the expired link's address gets the one 404 of that surface, as
 * a file outside the link does.
 */
final class LinkRows {
    private static final Map<String, String> JSON = Map.of("Accept", "application/json");

    private LinkRows() {
    }

    static List<Row> all(MatrixWorld world) {
        Map<Relation, Integer> open = but(everyone(200), Relation.EXPIRED_LINK, 404);
        return List.of(
                row("POST /v1/links", "the shared folder's Docs (owner and editor link what they may write)",
                        t -> Call.of("POST", "/v1/links", Map.of("namespaceId", t.sharedNamespace(), "path", "Docs")))
                        .expectLeakChecked(device(201, 201, 404, 404, 404, 404)),
                row("POST /v1/links", "the owner's album",
                        t -> Call.of("POST", "/v1/links", Map.of("albumId", t.album())))
                        .expectLeakChecked(world.has("POST /v1/albums/{albumId}/members")
                                ? device(201, 404, 404, 404, 404, 404) : ownerOnly(201)),
                row("GET /v1/links", "the caller's own links", t -> Call.get("/v1/links"))
                        .expect(anyDevice(200)),
                row("DELETE /v1/links/{linkId}", "a link the owner made", t -> Call.delete("/v1/links/" + world.linkToChange(t)))
                        .expectLeakChecked(ownerOnly(204)),
                row("GET /s/{token}", "the folder link's page, as JSON",
                        t -> new Call("GET", "/s/" + t.linkToken(), null, JSON))
                        .expect(open),
                row("POST /s/{token}", "the folder link's password form, sent empty (the link has no password)",
                        t -> new Call("POST", "/s/" + t.linkToken(), "password=",
                                Map.of("Content-Type", "application/x-www-form-urlencoded")))
                        .expect(but(everyone(303), Relation.EXPIRED_LINK, 404)),
                row("GET /s/{token}/files/{fileId}", "the shared file through the folder link",
                        t -> new Call("GET", "/s/" + t.linkToken() + "/files/" + t.sharedFile(), null, JSON))
                        .expect(open),
                row("GET /s/{token}/files/{fileId}", "the owner's home file, outside the folder link",
                        t -> new Call("GET", "/s/" + t.linkToken() + "/files/" + t.homeFile(), null, JSON))
                        .expect(everyone(404)),
                row("GET /s/{token}/thumbnails/{fileId}", "the shared folder's photo through the folder link",
                        t -> new Call("GET", "/s/" + t.linkToken() + "/thumbnails/" + t.sharedPhoto(), null, JSON))
                        .expect(open));
    }
}
