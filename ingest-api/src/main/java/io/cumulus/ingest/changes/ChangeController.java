package io.cumulus.ingest.changes;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.backpressure.BackPressure;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code POST /v1/changes}: a device submits a change batch under an {@code Idempotency-Key} and
 * gets {@code 202 {batchId}} once the batch is durable; the reconciler decides its outcome later
 * ({@code GET /v1/batches/{batchId}}). While the pipeline is behind, it answers {@code 503} with
 * {@code Retry-After} before reading the batch ({@link BackPressure}).
 */
@RestController
public class ChangeController {
    static final BodyLimit LIMIT = BodyLimit.ofMiB(1);

    private final BatchIntake intake;
    private final BackPressure backPressure;
    private final JsonBody json;

    record BatchAccepted(UUID batchId) {
    }

    public ChangeController(BatchIntake intake, BackPressure backPressure, JsonBody json) {
        this.intake = intake;
        this.backPressure = backPressure;
        this.json = json;
        BatchCounts.register();
    }

    @PostMapping(path = "/v1/changes", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<BatchAccepted> submit(DeviceSession session, @RequestHeader("Idempotency-Key") String idempotencyKey,
                                         HttpServletRequest request) {
        BatchIntake.Accepted accepted;
        try {
            backPressure.admit();
            IdempotencyKey key = new IdempotencyKey(idempotencyKey);
            ChangeBatch batch = ChangeBatchParser.parse(json.readTree(request, LIMIT), session.deviceId().toString());
            accepted = intake.accept(session, key, batch);
        } catch (RuntimeException e) {
            // Counted for the success rate, then answered by the problem handler as ever.
            BatchCounts.REFUSED.increment();
            throw e;
        }
        (accepted.created() ? BatchCounts.ACCEPTED : BatchCounts.REPEATED).increment();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new BatchAccepted(accepted.batchId()));
    }
}
