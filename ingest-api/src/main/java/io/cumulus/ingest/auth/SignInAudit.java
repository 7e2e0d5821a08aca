package io.cumulus.ingest.auth;

import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.audit.AuditTrail;

/**
 * The audit entries of password sign-ins: {@code sign-in-failed} on the account whose password was
 * wrong; a username that names no account has no chain to append to, so that attempt is only logged.
 * {@code via} says which endpoint took the password ({@code login}, {@code device-registration}).
 */
final class SignInAudit {
    private static final Logger log = LoggerFactory.getLogger(SignInAudit.class);

    private SignInAudit() {
    }

    static void failed(AuditTrail audit, BadCredentialsException refusal, String username, String address, String via) {
        refusal.accountId().ifPresentOrElse(
                accountId -> audit.record(accountId, null, "sign-in-failed", Map.of("username", String.valueOf(username),
                        "address", String.valueOf(address), "via", via)),
                () -> log.info("sign-in failed for an unknown username username={} address={} via={}", username, address, via));
    }

    static void succeeded(AuditTrail audit, UUID accountId, String username, String address, String via) {
        audit.record(accountId, null, "sign-in", Map.of("username", username, "address", String.valueOf(address), "via", via));
    }
}
