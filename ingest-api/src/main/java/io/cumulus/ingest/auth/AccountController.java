package io.cumulus.ingest.auth;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.AccountStore.StoredAccount;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;

/** {@code POST /v1/admin/accounts} (admin token) and {@code POST /v1/login} (username and password). */
@RestController
public class AccountController {
    private static final BodyLimit LIMIT = BodyLimit.ofKiB(16);

    private final Accounts accounts;
    private final AdminToken adminToken;
    private final NamespaceMembership membership;
    private final JsonBody json;

    record Credentials(String username, String password) {
    }

    record AccountCreated(UUID accountId, String username, UUID homeNamespace) {
    }

    record NamespaceEntry(UUID id, String name, String kind, String role, String mountPath) {
    }

    record LoggedIn(UUID accountId, String username, UUID homeNamespace, List<NamespaceEntry> namespaces) {
    }

    public AccountController(Accounts accounts, AdminToken adminToken, NamespaceMembership membership, JsonBody json) {
        this.accounts = accounts;
        this.adminToken = adminToken;
        this.membership = membership;
        this.json = json;
    }

    @PublicEndpoint
    @PostMapping(path = "/v1/admin/accounts", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<AccountCreated> create(HttpServletRequest request) {
        adminToken.check(request);
        Credentials body = json.read(request, LIMIT, Credentials.class);
        StoredAccount account = accounts.create(body.username(), body.password());
        return ResponseEntity.created(URI.create("/v1/accounts/" + account.id()))
                .body(new AccountCreated(account.id(), account.username(), account.homeNamespace()));
    }

    @PublicEndpoint
    @PostMapping(path = "/v1/login", consumes = MediaType.APPLICATION_JSON_VALUE)
    LoggedIn login(HttpServletRequest request) {
        Credentials body = json.read(request, LIMIT, Credentials.class);
        StoredAccount account = accounts.authenticate(body.username(), body.password());
        List<NamespaceEntry> namespaces = membership.namespacesOf(account.id()).stream()
                .map(m -> new NamespaceEntry(m.id(), m.name(), m.kind(), m.role().dbValue(), m.mountPath()))
                .toList();
        return new LoggedIn(account.id(), account.username(), account.homeNamespace(), namespaces);
    }
}
