package io.cumulus.ingest.auth;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.AccountStore.StoredAccount;
import io.cumulus.ingest.auth.DeviceStore.Revocation;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Devices of an account: registering one with the account's password (its token is in that answer
 * and nowhere else, ever), listing them, and revoking one, after which its token is refused. A
 * registration is a password sign-in: throttled as {@code POST /v1/login} is, and audited as
 * {@code device-registered} (or {@code sign-in-failed}); a revocation is audited as {@code device-revoked}.
 */
@RestController
public class DeviceController {
    private static final Logger log = LoggerFactory.getLogger(DeviceController.class);
    private static final BodyLimit LIMIT = BodyLimit.ofKiB(16);

    private final Accounts accounts;
    private final DeviceStore devices;
    private final JsonBody json;
    private final AuditTrail audit;
    private final SecureRandom random = new SecureRandom();

    record Registration(String username, String password, String deviceName) {
    }

    record Registered(UUID deviceId, String token, UUID accountId, UUID homeNamespace) {
    }

    record DeviceEntry(UUID deviceId, String name, Instant createdAt, boolean revoked) {
    }

    record DeviceList(List<DeviceEntry> devices) {
    }

    public DeviceController(Accounts accounts, DeviceStore devices, JsonBody json, AuditTrail audit) {
        this.accounts = accounts;
        this.devices = devices;
        this.json = json;
        this.audit = audit;
    }

    @PublicEndpoint
    @PostMapping(path = "/v1/devices", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Registered> register(HttpServletRequest request) {
        Registration body = json.read(request, LIMIT, Registration.class);
        String name = CredentialRules.deviceName(body.deviceName());
        String address = request.getRemoteAddr();
        StoredAccount account;
        try {
            account = accounts.authenticate(body.username(), body.password(), address);
        } catch (BadCredentialsException e) {
            SignInAudit.failed(audit, e, body.username(), address, "device-registration");
            throw e;
        }
        DeviceToken token = DeviceToken.generate(random);
        UUID deviceId = devices.register(account.id(), name, token);
        log.info("device registered deviceId={} accountId={} name={}", deviceId, account.id(), name);
        audit.record(account.id(), null, "device-registered", Map.of("deviceId", deviceId.toString(), "deviceName", name,
                "username", account.username(), "address", String.valueOf(address)));
        return ResponseEntity.status(HttpStatus.CREATED).cacheControl(CacheControl.noStore())
                .body(new Registered(deviceId, token.value(), account.id(), account.homeNamespace()));
    }

    @GetMapping("/v1/devices")
    DeviceList list(DeviceSession session) {
        return new DeviceList(devices.devicesOf(session.accountId()).stream()
                .map(d -> new DeviceEntry(d.id(), d.name(), d.createdAt(), d.revoked()))
                .toList());
    }

    @DeleteMapping("/v1/devices/{deviceId}")
    ResponseEntity<Void> revoke(DeviceSession session, @PathVariable String deviceId) {
        UUID id;
        try {
            id = UUID.fromString(deviceId);
        } catch (IllegalArgumentException e) {
            throw new DeviceNotFoundException(deviceId);
        }
        Revocation result = devices.revoke(session.accountId(), id);
        switch (result) {
            case REVOKED -> {
                log.info("device revoked deviceId={} accountId={} by={}", id, session.accountId(), session.deviceId());
                audit.record(session.accountId(), session.deviceId(), "device-revoked", Map.of("deviceId", id.toString()));
            }
            case ALREADY_REVOKED -> { }
            case NOT_FOUND -> throw new DeviceNotFoundException(deviceId);
        }
        return ResponseEntity.noContent().build();
    }
}
