package io.cumulus.standalone;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.standalone.operations.Health;
import jakarta.servlet.http.HttpServletRequest;
import io.cumulus.standalone.operations.ManagementServer;

/**
 * {@code /health/live} and {@code /health/ready} on the API's port: the same answers the management
 * port of a process without the API gives, for every service of this process. Public, as
 * {@code /actuator/health} is: they say up or down and which store is away, nothing else; why, only to
 * a caller that gives the admin token.
 */
@RestController
final class HealthEndpoints {
    private final Health health;

    private final AdminToken adminToken;

    HealthEndpoints(Health health, AdminToken adminToken) {
        this.health = health;
        this.adminToken = adminToken;
    }

    @GetMapping(ManagementServer.LIVE)
    ResponseEntity<String> live() {
        return answer(health.live());
    }

    /** With the admin token as bearer token, each down store says why; a wrong token is a 401. */
    @GetMapping(ManagementServer.READY)
    ResponseEntity<String> ready(HttpServletRequest request) {
        boolean details = request.getHeader("Authorization") != null;
        if (details) {
            adminToken.check(request);
        }
        return answer(health.ready(details));
    }

    private static ResponseEntity<String> answer(Health.Answer answer) {
        return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store").body(answer.json());
    }
}
