package io.cumulus.ingest.audit;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.auth.PublicEndpoint;
import io.cumulus.ingest.web.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code GET /v1/audit} (device token): the calling account's own audit entries, oldest first, a page
 * after a seq, with the chain's head so the owner can keep it and later see that the chain still leads
 * there. {@code GET /v1/admin/audit/verify[?username=NAME]} (admin token): the {@link AuditReport} of
 * every chain, or of one account's.
 */
@RestController
public class AuditController {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditEntries entries;
    private final AuditVerifier verifier;
    private final AdminToken adminToken;

    /** One entry as its account reads it. */
    record Entry(long seq, Instant at, String action, UUID deviceId, String deviceName, SortedMap<String, String> details,
                 String hash) {
    }

    record Head(long seq, String hash) {
    }

    /** A page: {@code next} is the {@code after} of the following page, null when this one reached the head. */
    record Page(UUID accountId, List<Entry> entries, Long next, Head head) {
    }

    AuditController(AuditEntries entries, AuditVerifier verifier, AdminToken adminToken) {
        this.entries = entries;
        this.verifier = verifier;
        this.adminToken = adminToken;
    }

    @GetMapping(path = "/v1/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    Page audit(DeviceSession session, @RequestParam(defaultValue = "0") long after,
               @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
        if (after < 0) {
            throw invalidParameter("after", "after must be a seq >= 0");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw invalidParameter("limit", "limit must be from 1 to " + MAX_LIMIT);
        }
        UUID account = session.accountId();
        // The head first: every entry up to it is committed, so a page never runs past what the head says.
        AuditEntries.Head head = entries.head(account).orElse(new AuditEntries.Head(0, AuditHash.GENESIS, null));
        List<Entry> page = entries.listedAfter(account, after, limit).stream()
                .filter(l -> l.entry().seq() <= head.lastSeq())
                .map(l -> new Entry(l.entry().seq(), l.entry().at(), l.entry().action(), l.entry().actorDevice().orElse(null),
                        l.deviceName().orElse(null), l.entry().details(), l.entry().hashHex()))
                .toList();
        long reached = page.isEmpty() ? after : page.getLast().seq();
        return new Page(account, page, reached < head.lastSeq() ? reached : null,
                new Head(head.lastSeq(), HexFormat.of().formatHex(head.lastHash())));
    }

    @PublicEndpoint
    @GetMapping(path = "/v1/admin/audit/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditReport verify(HttpServletRequest request, @RequestParam(required = false) String username) {
        adminToken.check(request);
        if (username == null) {
            return verifier.verifyAll();
        }
        return verifier.verifyUser(username).orElseThrow(() -> new UnknownAccountException(username));
    }

    private static InvalidRequestException invalidParameter(String name, String detail) {
        return new InvalidRequestException("invalid-parameter", "Invalid query parameter", detail).with("parameter", name);
    }
}
