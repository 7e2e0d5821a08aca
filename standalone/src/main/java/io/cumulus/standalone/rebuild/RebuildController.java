package io.cumulus.standalone.rebuild;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.auth.PublicEndpoint;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * The rebuild endpoints (admin token):
 * <pre>
 *   POST   /v1/admin/rebuilds        {"projection":"readmodel"}   202 and the new rebuild's status
 *   GET    /v1/admin/rebuilds                                      every rebuild since the server started
 *   GET    /v1/admin/rebuilds/{id}                                 one rebuild's status
 *   DELETE /v1/admin/rebuilds/{id}                                 abort: 202, the new generation is dropped
 * </pre>
 * An unknown projection is a 404, a second rebuild of a projection while one runs (here or on another
 * instance) a 409, an abort once the switch has begun a 409 ({@code application/problem+json} each).
 * The token is checked before a byte of the body is read, and the body is read within {@link #LIMIT}.
 */
@RestController
public class RebuildController {
    private static final BodyLimit LIMIT = BodyLimit.ofKiB(4);

    private final Rebuilds rebuilds;
    private final AdminToken adminToken;
    private final JsonBody jsonBody;

    public RebuildController(Rebuilds rebuilds, AdminToken adminToken, JsonBody jsonBody) {
        this.rebuilds = rebuilds;
        this.adminToken = adminToken;
        this.jsonBody = jsonBody;
    }

    @PublicEndpoint
    @PostMapping(path = "/v1/admin/rebuilds", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> start(HttpServletRequest request) {
        adminToken.check(request);
        String projection = projectionOf(LIMIT.read(request));
        try {
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(json(rebuilds.start(projection)));
        } catch (Rebuilds.UnknownProjection | Rebuilds.Unavailable e) {
            throw RebuildProblem.unknownProjection(e.getMessage(), rebuilds.projections().keySet());
        } catch (Rebuilds.AlreadyRunning e) {
            throw RebuildProblem.running(e.getMessage(), e.id());
        } catch (Rebuilds.RunningElsewhere e) {
            throw RebuildProblem.runningElsewhere(e.getMessage());
        }
    }

    @PublicEndpoint
    @GetMapping(path = "/v1/admin/rebuilds", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(HttpServletRequest request) {
        adminToken.check(request);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("projections", rebuilds.projections().values().stream()
                .map(p -> Map.of("name", p.name(), "description", p.description())).toList());
        answer.put("rebuilds", rebuilds.list().stream().map(RebuildController::json).toList());
        return answer;
    }

    @PublicEndpoint
    @GetMapping(path = "/v1/admin/rebuilds/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status(HttpServletRequest request, @PathVariable String id) {
        adminToken.check(request);
        return json(rebuilds.status(id).orElseThrow(() -> RebuildProblem.notFound(id)));
    }

    @PublicEndpoint
    @DeleteMapping(path = "/v1/admin/rebuilds/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> abort(HttpServletRequest request, @PathVariable String id) {
        adminToken.check(request);
        try {
            RebuildStatus status = rebuilds.abort(id).orElseThrow(() -> RebuildProblem.notFound(id));
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(json(status));
        } catch (Rebuilds.NotAbortable e) {
            throw RebuildProblem.notAbortable(e.getMessage());
        }
    }

    private String projectionOf(byte[] body) {
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw RebuildProblem.invalid("the body must be {\"projection\":\"NAME\"}");
        }
        JsonNode node;
        try {
            node = jsonBody.parseTree(body);
        } catch (io.cumulus.ingest.web.MalformedJsonException e) {
            throw RebuildProblem.invalid("the body is not JSON: must be {\"projection\":\"NAME\"}");
        }
        JsonNode projection = node.path("projection");
        if (!projection.isString() || projection.asString().isBlank()) {
            throw RebuildProblem.invalid("the body must be {\"projection\":\"NAME\"}, a non-empty string");
        }
        return projection.asString();
    }

    /** A status as the API answers it (and {@code RebuildCommand} reads it). */
    static Map<String, Object> json(RebuildStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("projection", s.projection());
        m.put("generation", s.generation());
        m.put("location", s.location());
        m.put("phase", s.phase().label());
        m.put("done", s.done());
        m.put("total", s.total());
        m.put("recordsPerSecond", Math.round(s.recordsPerSecond() * 10) / 10.0);
        m.put("secondsLeft", s.secondsLeft().orElse(null));
        m.put("error", s.error().orElse(null));
        m.put("startedAt", s.startedAt().toString());
        m.put("finishedAt", s.finishedAt().map(Object::toString).orElse(null));
        List<Map<String, Object>> partitions = s.partitions().stream().map(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("topic", p.topic());
            pm.put("partition", p.partition());
            pm.put("done", p.done());
            pm.put("total", p.total());
            return pm;
        }).toList();
        m.put("partitions", partitions);
        return m;
    }
}
