package io.cumulus.standalone.operations;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The health answers of a process, the same on the API's port and on the management server:
 * {@code /health/live} (200 while every service's threads run, 503 with the stage that stopped: a
 * supervisor restarts the process) and {@code /health/ready} (200 when every service can reach the
 * stores it needs, else 503 listing each service and store, up or down: a load balancer or an
 * orchestrator holds traffic or dependants back; why a store is down is in the log, and in the answer
 * to a caller that gives the admin token as bearer token). Liveness never
 * asks a store; readiness answers from {@link Readiness#check}, one check at a time, briefly cached.
 */
public final class Health {
    private final Supplier<Optional<String>> stoppedStage;
    private final Readiness readiness;

    /** @param stoppedStage the first service that stopped for good, in words; empty while all run */
    public Health(Supplier<Optional<String>> stoppedStage, Readiness readiness) {
        this.stoppedStage = stoppedStage;
        this.readiness = readiness;
    }

    /** An HTTP answer: status and JSON body. */
    public record Answer(int status, String json) {
    }

    public Answer live() {
        Optional<String> stopped = stoppedStage.get();
        return stopped.map(why -> new Answer(503, "{\"status\":\"DOWN\",\"why\":" + Json.string(why) + "}"))
                .orElseGet(() -> new Answer(200, "{\"status\":\"UP\"}"));
    }

    public Answer ready() {
        return ready(false);
    }

    /** With {@code details} (a caller that gave the admin token), each down store says why. */
    public Answer ready(boolean details) {
        Readiness.Report report = readiness.check();
        return new Answer(report.ready() ? 200 : 503, report.json(details));
    }

    public Readiness readiness() {
        return readiness;
    }
}
