package io.cumulus.bench;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.cumulus.bench.PipelineBenchmark.Device;
import io.cumulus.bench.PipelineBenchmark.Fleet;

/**
 * The open loop: changes arrive at a fixed rate from many devices, whatever the server answers.
 * For each rate of {@code --rates} (changes per second, in batches of {@code --batch} changes) it
 * uploads the step's chunks, then a scheduler fires batch k at its intended time, {@code start + k ×
 * batch / rate}, round-robin over the devices, with {@code HttpClient.sendAsync}, so that a slow
 * answer never delays the next submission. Every latency is timed from the intended send time, so a
 * stalled server (or a late scheduler) shows up in the latencies instead of lowering the load: no
 * coordinated omission.
 *
 * <p>Per step and per batch, into HdrHistograms: submit→202 (the batch is durable), submit→outcome
 * (the verdict of each of its changes was pushed to the submitting device) and submit→push (every
 * other device was pushed a sequence number covering it). A 503 (the server sheds load) is counted as
 * rejected, not retried, and left out of the latencies; any other answer but 202, or a request that
 * failed, is an error. The achieved rate is the step's decided changes per second, from its first
 * outcome to its last plus one batch interval, so that a step that keeps up achieves exactly the
 * offered rate and one that falls behind spreads its outcomes over a longer time.
 *
 * <p>A warm-up of {@code --warmup} changes at the first rate comes first, measured the same way but
 * not counted. The steps stop at the first saturated one: achieved below {@value #SUSTAINED_PERCENT}
 * % of the offered rate, a p99 submit→push over 5 s, errors, or answers, outcomes or pushes still
 * missing 30 s after the step's last intended send (such a batch counts in the latencies as taking
 * those 30 s after its send: a lower bound).
 */
final class OpenLoop {
    private static final int SUSTAINED_PERCENT = 90;
    private static final long SATURATED_P99_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long TARGET_P99_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long OUTCOME_BOUND_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String ROW = "%9s %9s | %7s %7s %7s | %7s %7s %7s | %7s %7s %7s | %6s %7s | %6s";

    private final PipelineBenchmark bench;
    private final Fleet fleet;
    private final int perBatch;
    private final int stepSeconds;

    OpenLoop(PipelineBenchmark bench, Fleet fleet, int perBatch, int stepSeconds) {
        this.bench = bench;
        this.fleet = fleet;
        this.perBatch = perBatch;
        this.stepSeconds = stepSeconds;
    }

    /** What came back for one submission: its HTTP status (0 when the request failed), when, and the body or the failure. */
    private record Answer(int status, long nanos, String body) {
    }

    /**
     * The measurements of one step. {@code overdue}: batches whose answer, outcome or pushes had not
     * come within the bound; {@code rejectedPerSecond}: the 503s over the step's duration.
     */
    private record Step(int offered, double achieved, Histogram accepted, Histogram outcome, Histogram push, int rejected,
            double rejectedPerSecond, int errors, int overdue, String firstError) {

        /** Why this step saturated the pipeline; empty when it sustained the offered rate. */
        Optional<String> saturation() {
            List<String> why = new ArrayList<>();
            if (overdue > 0) {
                why.add(overdue + " batches without an answer, outcome or push "
                        + TimeUnit.NANOSECONDS.toSeconds(OUTCOME_BOUND_NANOS) + " s after the last send");
            }
            if (errors > 0) {
                why.add(errors + " errors, the first: " + firstError);
            }
            if (achieved < offered * SUSTAINED_PERCENT / 100.0) {
                why.add(String.format("achieved %.0f %% of the offered rate", 100 * achieved / offered));
            }
            if (push.getTotalCount() > 0 && push.getValueAtPercentile(99) > SATURATED_P99_NANOS) {
                why.add(String.format("p99 submit->push %.1f s", push.getValueAtPercentile(99) / 1e9));
            }
            return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
        }

        boolean meetsTarget() {
            return saturation().isEmpty() && push.getTotalCount() > 0 && push.getValueAtPercentile(99) < TARGET_P99_NANOS;
        }

        String row() {
            return String.format(ROW, offered, String.format("%.0f", achieved),
                    ms(accepted, 50), ms(accepted, 99), ms(accepted, 99.9),
                    ms(outcome, 50), ms(outcome, 99), ms(outcome, 99.9),
                    ms(push, 50), ms(push, 99), ms(push, 99.9),
                    rejected, String.format("%.1f", rejectedPerSecond), errors);
        }

        private static String ms(Histogram h, double percentile) {
            if (h.getTotalCount() == 0) {
                return "-";
            }
            double ms = h.getValueAtPercentile(percentile) / 1e6;
            return ms < 100 ? String.format("%.1f", ms) : String.format("%.0f", ms);
        }
    }

    /** Warms up with {@code warmup} changes at the first rate (not counted), then steps through the rates. */
    void run(List<Integer> rates, int warmup, MachineCeilings ceilings) throws Exception {
        System.out.println();
        System.out.println("Columns: the offered rate and the achieved one (changes decided per second), in changes/s;");
        System.out.println("submit->202 (the batch is durable), submit->outcome (the verdict of each of its changes pushed to");
        System.out.println("the submitting device), submit->push (every other device pushed a sequence number covering it):");
        System.out.println("p50, p99 and p99.9 in ms per batch, timed from the batch's intended send time; 503: submissions");
        System.out.println("rejected (not retried, not in the latencies), how many and per second; errors: any other answer,");
        System.out.println("or a request that failed.");
        if (warmup > 0) {
            Step warm = step("warm-up, not counted", rates.getFirst(), warmup, "warm");
            System.out.println(header());
            System.out.println(warm.row());
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < rates.size(); i++) {
            int rate = rates.get(i);
            Step step = step("step " + (i + 1) + " of " + rates.size(), rate, rate * stepSeconds, "step" + (i + 1));
            steps.add(step);
            System.out.println(header());
            System.out.println(step.row());
            Optional<String> saturation = step.saturation();
            if (saturation.isPresent()) {
                System.out.println("  saturated: " + saturation.get()
                        + (i + 1 < rates.size() ? "; the higher rates are not tried" : ""));
                break;
            }
        }
        summary(rates, steps, ceilings);
    }

    private static String header() {
        return String.format("%9s %9s | %-23s | %-23s | %-23s | %-14s | %6s", "offered", "achieved", "submit->202 (ms)",
                "submit->outcome (ms)", "submit->push (ms)", "503 rejected", "errors")
                + System.lineSeparator()
                + String.format(ROW, "changes/s", "changes/s", "p50", "p99", "p99.9", "p50", "p99", "p99.9", "p50", "p99",
                        "p99.9", "n", "per s", "");
    }

    /** Submits {@code changes} changes at {@code rate} changes/s and measures them; {@code tag} keeps their files apart. */
    private Step step(String label, int rate, int changes, String tag) throws Exception {
        List<Device> devices = fleet.devices();
        devices.forEach(Device::forget);
        int batches = (changes + perBatch - 1) / perBatch;
        // Batch k is device (k mod devices)'s; one chunk per change, uploaded before the clock starts.
        int[] sizes = new int[batches];
        int[] perDevice = new int[devices.size()];
        for (int k = 0; k < batches; k++) {
            sizes[k] = Math.min(perBatch, changes - k * perBatch);
            perDevice[k % devices.size()] += sizes[k];
        }
        double seconds = changes / (double) rate;
        System.out.printf("%n%s: %,d changes/s for %.1f s (%,d changes in %,d batches from %d devices)%n",
                label, rate, seconds, changes, batches, devices.size());
        long uploadStart = System.nanoTime();
        List<List<String[]>> chunks = bench.uploadChunks(devices, perDevice, tag);
        HttpRequest[] requests = new HttpRequest[batches];
        int[] next = new int[devices.size()];
        for (int k = 0; k < batches; k++) {
            int d = k % devices.size();
            requests[k] = bench.submitRequest(devices.get(d), fleet.namespace(), chunks.get(d), next[d], sizes[k], tag);
            next[d] += sizes[k];
        }
        System.out.printf("  %,d chunks uploaded in %.1f s; submitting%n", changes, (System.nanoTime() - uploadStart) / 1e9);

        double interval = perBatch * 1e9 / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        long[] intended = new long[batches];
        List<CompletableFuture<Answer>> answers = new ArrayList<>(batches);
        long maxLag = 0;
        for (int k = 0; k < batches; k++) {
            intended[k] = start + Math.round(k * interval);
            for (long wait = intended[k] - System.nanoTime(); wait > 0; wait = intended[k] - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            maxLag = Math.max(maxLag, System.nanoTime() - intended[k]);
            answers.add(bench.http().sendAsync(requests[k], HttpResponse.BodyHandlers.ofString()).handle((r, e) -> e == null
                    ? new Answer(r.statusCode(), System.nanoTime(), r.body())
                    : new Answer(0, System.nanoTime(), e.toString())));
        }
        System.out.printf("  submitted in %.1f s, at most %.1f ms after the intended times; waiting for the outcomes and pushes%n",
                (System.nanoTime() - start) / 1e9, maxLag / 1e6);

        long deadline = intended[batches - 1] + OUTCOME_BOUND_NANOS;
        String[] batchIds = new String[batches];
        for (int k = 0; k < batches && System.nanoTime() < deadline; k++) {
            while (!settled(answers.get(k), devices.get(k % devices.size()), sizes[k], batchIds, k)
                    && System.nanoTime() < deadline) {
                bench.awaitArrival();
            }
        }

        Histogram accepted = new Histogram(3);
        Histogram outcome = new Histogram(3);
        Histogram push = new Histogram(3);
        int rejected = 0;
        int errors = 0;
        int overdue = 0;
        String firstError = null;
        long decided = 0;
        long firstOutcome = Long.MAX_VALUE;
        long lastOutcome = Long.MIN_VALUE;
        for (int k = 0; k < batches; k++) {
            Answer answer = answers.get(k).getNow(null);
            Device device = devices.get(k % devices.size());
            long bound = deadline - intended[k];
            if (answer == null) {
                overdue++;
                accepted.recordValue(bound);
                outcome.recordValue(bound);
                push.recordValue(bound);
            } else if (answer.status() == 503) {
                rejected++;
            } else if (answer.status() != 202) {
                errors++;
                if (firstError == null) {
                    firstError = (answer.status() == 0 ? "" : answer.status() + " ") + answer.body();
                }
            } else {
                accepted.recordValue(answer.nanos() - intended[k]);
                String batchId = batchIds[k] != null ? batchIds[k] : PipelineBenchmark.batchId(answer.body());
                OptionalLong pushed = PipelineBenchmark.pushedToOthers(device, batchId, devices);
                boolean isDecided = device.decided(batchId, sizes[k]);
                if (isDecided) {
                    long at = device.outcomeArrivals.get(batchId);
                    outcome.recordValue(at - intended[k]);
                    decided += sizes[k];
                    firstOutcome = Math.min(firstOutcome, at);
                    lastOutcome = Math.max(lastOutcome, at);
                } else {
                    outcome.recordValue(bound);
                }
                push.recordValue(pushed.isPresent() ? pushed.getAsLong() - intended[k] : bound);
                if (!isDecided || pushed.isEmpty()) {
                    overdue++;
                }
            }
        }
        long end = overdue > 0 ? deadline : lastOutcome;
        double achieved = decided == 0 ? 0 : decided / ((end - firstOutcome + interval) / 1e9);
        return new Step(rate, achieved, accepted, outcome, push, rejected, rejected / seconds, errors, overdue,
                firstError);
    }

    /** Whether a batch's answer has come and, when it was accepted, its outcome and its pushes to the other devices too. */
    private boolean settled(CompletableFuture<Answer> future, Device device, int changes, String[] batchIds, int k) {
        Answer answer = future.getNow(null);
        if (answer == null) {
            return false;
        }
        if (answer.status() != 202) {
            return true;
        }
        if (batchIds[k] == null) {
            batchIds[k] = PipelineBenchmark.batchId(answer.body());
        }
        return device.decided(batchIds[k], changes)
                && PipelineBenchmark.pushedToOthers(device, batchIds[k], fleet.devices()).isPresent();
    }

    private void summary(List<Integer> rates, List<Step> steps, MachineCeilings ceilings) {
        System.out.println();
        System.out.printf("summary: open loop, %d devices, %d change%s per batch, %d s per rate%n", fleet.devices().size(),
                perBatch, perBatch == 1 ? "" : "s", stepSeconds);
        System.out.println(header());
        steps.forEach(step -> System.out.println(step.row()));
        Step last = steps.getLast();
        last.saturation().ifPresent(why -> System.out.printf("stopped at %,d changes/s: %s%n", last.offered(), why));
        Optional<Step> target = steps.stream().filter(Step::meetsTarget).max(Comparator.comparingInt(Step::offered));
        if (target.isPresent()) {
            boolean highestTried = target.get().offered() == rates.stream().mapToInt(Integer::intValue).max().orElseThrow();
            System.out.printf("highest rate with p99 submit->push under 1 s: %,d changes/s%s%n", target.get().offered(),
                    highestTried ? " (the highest rate tried: add higher --rates to find the limit)" : "");
        } else {
            System.out.println("highest rate with p99 submit->push under 1 s: none of the rates tried (add lower --rates)");
        }
        Step best = steps.stream().max(Comparator.comparingDouble(Step::achieved)).orElseThrow();
        System.out.printf("best achieved rate %,.0f changes/s (offered %,d) = %.3f x small fsyncs/s (%,.0f),"
                + " %.3f x transactional records/s (%,.0f), %.2f x transactions/s (%,.0f)%n",
                best.achieved(), best.offered(), best.achieved() / ceilings.fsyncsPerSecond(), ceilings.fsyncsPerSecond(),
                best.achieved() / ceilings.recordsPerSecond(), ceilings.recordsPerSecond(),
                best.achieved() / ceilings.transactionsPerSecond(), ceilings.transactionsPerSecond());
        System.out.println("machine: " + PipelineBenchmark.machine());
    }
}
