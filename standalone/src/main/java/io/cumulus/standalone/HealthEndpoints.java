package io.cumulus.standalone;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.standalone.operations.Health;
import io.cumulus.standalone.operations.ManagementServer;

/**
 * {@code /health/live} and {@code /health/ready} on the API's port: the same answers the management
 * port of a process without the API gives, for every service of this process. Public, as
 * {@code /actuator/health} is: they say up or down and which store is away, nothing else.
 */
@RestController
final class HealthEndpoints {
    private final Health health;

    HealthEndpoints(Health health) {
        this.health = health;
    }

    @GetMapping(ManagementServer.LIVE)
    ResponseEntity<String> live() {
        return answer(health.live());
    }

    @GetMapping(ManagementServer.READY)
    ResponseEntity<String> ready() {
        return answer(health.ready());
    }

    private static ResponseEntity<String> answer(Health.Answer answer) {
        return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store").body(answer.json());
    }
}
