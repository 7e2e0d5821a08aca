package io.cumulus.ingest.authz;

import static io.cumulus.ingest.authz.Expected.admin;
import static io.cumulus.ingest.authz.Expected.anyDevice;
import static io.cumulus.ingest.authz.Row.row;

import java.util.List;
import java.util.Map;

/**
 * The rows of what an account reads about itself (its storage usage, its audit log) and of the
 * operator's endpoints about accounts (their usage and quota, the audit chains' verification).
 */
final class AccountRows {
    private AccountRows() {
    }

    static List<Row> usage() {
        return List.of(
                row("GET /v1/usage", "the caller's own usage", t -> Call.get("/v1/usage")).expect(anyDevice(200)),
                row("GET /v1/admin/accounts/{username}/usage", "the owner's usage",
                        t -> Call.get("/v1/admin/accounts/" + t.username() + "/usage"))
                        .expect(admin(200)),
                row("PUT /v1/admin/accounts/{username}/quota", "the owner's quota, set to 10 GiB",
                        t -> Call.of("PUT", "/v1/admin/accounts/" + t.username() + "/quota", Map.of("quota", "10GiB")))
                        .expect(admin(200)));
    }

    static List<Row> audit() {
        return List.of(
                row("GET /v1/audit", "the caller's own audit log", t -> Call.get("/v1/audit")).expect(anyDevice(200)),
                row("GET /v1/admin/audit/verify", "every account's chain", t -> Call.get("/v1/admin/audit/verify"))
                        .expect(admin(200)));
    }
}
