package io.cumulus.ingest.quota;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.auth.PublicEndpoint;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * The storage quota from both sides: the admin sets an account's quota
 * ({@code PUT /v1/admin/accounts/{username}/quota}, {@code {"quota":"10GiB"}}, {@code {"bytes":N}}
 * or {@code {"quota":"default"}}) and reads its usage ({@code GET /v1/admin/accounts/{username}/usage},
 * counted from the read model at that moment); a device reads its own account's
 * ({@code GET /v1/usage}).
 */
@RestController
public class QuotaController {
    private static final Logger log = LoggerFactory.getLogger(QuotaController.class);
    private static final BodyLimit LIMIT = BodyLimit.ofKiB(4);

    private final StorageQuotas quotas;
    private final AdminToken adminToken;
    private final JsonBody json;
    private final AuditTrail audit;

    /** The caller's usage against its quota. */
    record UsageView(long usedBytes, long quotaBytes) {
    }

    /** An account's usage and quota, as the admin sees them. */
    record AccountUsage(String username, long usedBytes, long quotaBytes, boolean defaultQuota) {
    }

    public QuotaController(StorageQuotas quotas, AdminToken adminToken, JsonBody json, AuditTrail audit) {
        this.quotas = quotas;
        this.adminToken = adminToken;
        this.json = json;
        this.audit = audit;
    }

    @GetMapping(path = "/v1/usage", produces = MediaType.APPLICATION_JSON_VALUE)
    UsageView usage(DeviceSession session) {
        StorageQuotas.Usage usage = quotas.usage(session.accountId());
        return new UsageView(usage.usedBytes(), usage.quotaBytes());
    }

    @PublicEndpoint
    @GetMapping(path = "/v1/admin/accounts/{username}/usage", produces = MediaType.APPLICATION_JSON_VALUE)
    AccountUsage accountUsage(HttpServletRequest request, @PathVariable String username) {
        adminToken.check(request);
        StorageQuotas.Account account = quotas.account(username).orElseThrow(() -> new AccountNotFoundException(username));
        StorageQuotas.Usage usage = quotas.countedNow(account.id());
        return new AccountUsage(account.username(), usage.usedBytes(), usage.quotaBytes(), account.ownQuota().isEmpty());
    }

    @PublicEndpoint
    @PutMapping(path = "/v1/admin/accounts/{username}/quota", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    AccountUsage setQuota(HttpServletRequest request, @PathVariable String username) {
        adminToken.check(request);
        Optional<Long> bytes = requestedQuota(json.readTree(request, LIMIT));
        StorageQuotas.Account account = quotas.account(username).orElseThrow(() -> new AccountNotFoundException(username));
        quotas.setQuota(account.id(), bytes);
        long effective = bytes.orElse(quotas.defaultQuota());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("username", account.username());
        details.put("quotaBytes", Long.toString(effective));
        details.put("previousQuotaBytes", Long.toString(account.ownQuota().orElse(quotas.defaultQuota())));
        details.put("default", Boolean.toString(bytes.isEmpty()));
        audit.record(account.id(), null, "quota-changed", details);
        log.info("quota changed account={} username={} quotaBytes={} default={}", account.id(), account.username(), effective,
                bytes.isEmpty());
        StorageQuotas.Usage usage = quotas.usage(account.id());
        return new AccountUsage(account.username(), usage.usedBytes(), usage.quotaBytes(), bytes.isEmpty());
    }

    /** The quota a body asks for: {@code {"quota":"10GiB"}}, {@code {"bytes":N}}; empty for {@code {"quota":"default"}}. */
    static Optional<Long> requestedQuota(JsonNode body) {
        JsonNode quota = body.get("quota");
        JsonNode bytes = body.get("bytes");
        if (!body.isObject() || (quota == null) == (bytes == null)) {
            throw InvalidRequestException.invalid("give exactly one of quota (a size such as \"10GiB\", or \"default\") "
                    + "and bytes (a number of bytes)");
        }
        if (bytes != null) {
            if (!bytes.isIntegralNumber() || !bytes.canConvertToLong() || bytes.asLong() < 0) {
                throw InvalidRequestException.invalid("bytes must be a whole number of bytes, at least 0");
            }
            return Optional.of(bytes.asLong());
        }
        if (!quota.isString()) {
            throw InvalidRequestException.invalid("quota must be a string such as \"10GiB\", \"500MiB\" or \"default\"");
        }
        if (quota.asString().trim().equalsIgnoreCase("default")) {
            return Optional.empty();
        }
        try {
            return Optional.of(StorageSize.parse(quota.asString()));
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.invalid("quota: " + e.getMessage());
        }
    }
}
