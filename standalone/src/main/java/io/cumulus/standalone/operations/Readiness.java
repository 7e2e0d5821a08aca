package io.cumulus.standalone.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each service of this process can do its work now, from the stores it needs: the API
 * PostgreSQL, the blob store and Kafka; the relay its replication slot and Kafka; the reconciler its
 * Streams client running; and so on (docs/metrics.md). Every store is probed at once, each given
 * {@link #TIMEOUT}: a store that does not answer in time is down, so a readiness check never hangs on
 * the store it is asking about. One check runs at a time and its report answers every caller for
 * {@link #FRESH}; a store whose last probe still runs is not probed again (it is down until that probe
 * ends), so a flood of requests or a store that never answers holds at most one probe thread per store.
 * Why a store is down goes to the log (WARN when it goes down, INFO when it is back), never into the
 * public answer.
 */
public final class Readiness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** How long one check's report answers every caller. */
    static final Duration FRESH = Duration.ofMillis(1500);
    private static final int MAX_PROBE_THREADS = 32;

    private final Map<String, StoreProbe> stores = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final ScheduledExecutorService exporting = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cumulus-readiness-export");
        t.setDaemon(true);
        return t;
    });
    private final ThreadPoolExecutor probing = new ThreadPoolExecutor(0, MAX_PROBE_THREADS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "cumulus-readiness");
                t.setDaemon(true);
                return t;
            });
    /** The stores whose last probe has not returned yet (it may outlive the check that started it). */
    private final Set<String> outstanding = ConcurrentHashMap.newKeySet();
    /** The last problem logged of each store that is down. */
    private final Map<String, String> down = new ConcurrentHashMap<>();
    private final Object checking = new Object();
    private CompletableFuture<Report> inFlight;
    private Report last;
    private long lastAt;

    /** A store (or a stage) some service needs, under the name the answer shows; the first of a name is kept. */
    public synchronized Readiness store(String name, StoreProbe probe) {
        stores.putIfAbsent(name, probe);
        return this;
    }

    /** A service of this process and the stores it needs, each registered with {@link #store}. */
    public synchronized Readiness service(String name, List<String> needs) {
        for (String need : needs) {
            if (!stores.containsKey(need)) {
                throw new IllegalArgumentException("service " + name + " needs an unknown store " + need);
            }
        }
        services.put(name, List.copyOf(needs));
        return this;
    }

    /** One store's answer: up, or down and why (for the log; the public answer says up or down only). */
    public record StoreStatus(String store, boolean up, Optional<String> why) {
    }

    /** One service's answer: ready when every store it needs is up. */
    public record ServiceStatus(String service, List<StoreStatus> stores) {
        public boolean ready() {
            return stores.stream().allMatch(StoreStatus::up);
        }
    }

    /** The process's answer: ready when every service is. */
    public record Report(List<ServiceStatus> services) {
        public boolean ready() {
            return services.stream().allMatch(ServiceStatus::ready);
        }

        /** {@code {"status":"UP|DOWN","services":[{"service":..,"status":..,"stores":[{"store":..,"status":..}]}]}} */
        public String json() {
            return json(false);
        }

        /** The public answer, with {@code details} each down store's {@code "why"} as well (for the operator only). */
        public String json(boolean details) {
            StringBuilder out = new StringBuilder("{\"status\":\"").append(ready() ? "UP" : "DOWN").append("\",\"services\":[");
            for (int i = 0; i < services.size(); i++) {
                ServiceStatus service = services.get(i);
                out.append(i == 0 ? "" : ",").append("{\"service\":").append(Json.string(service.service()))
                        .append(",\"status\":\"").append(service.ready() ? "UP" : "DOWN").append("\",\"stores\":[");
                for (int j = 0; j < service.stores().size(); j++) {
                    StoreStatus store = service.stores().get(j);
                    out.append(j == 0 ? "" : ",").append("{\"store\":").append(Json.string(store.store()))
                            .append(",\"status\":\"").append(store.up() ? "UP" : "DOWN").append('"');
                    if (details) {
                        store.why().ifPresent(why -> out.append(",\"why\":").append(Json.string(why)));
                    }
                    out.append('}');
                }
                out.append("]}");
            }
            return out.append("]}").toString();
        }
    }

    /**
     * Exports the answer as {@code cumulus_service_ready{service}} and {@code cumulus_store_up{store}}
     * (1 or 0), checked every {@code every}: for dashboards and alerts, which should not wait on a store.
     */
    public Readiness exportEvery(Duration every, MeterRegistry registry) {
        MultiGauge services = MultiGauge.builder("cumulus.service.ready")
                .description("1 when the service can reach every store it needs, else 0").register(registry);
        MultiGauge stores = MultiGauge.builder("cumulus.store.up")
                .description("1 when the store (or stage) answered the last readiness probe, else 0").register(registry);
        exporting.scheduleWithFixedDelay(() -> {
            Report report = check();
            services.register(report.services().stream()
                    .map(s -> MultiGauge.Row.of(Tags.of("service", s.service()), s.ready() ? 1 : 0)).toList(), true);
            stores.register(report.services().stream().flatMap(s -> s.stores().stream())
                    .collect(java.util.stream.Collectors.toMap(StoreStatus::store, StoreStatus::up, (a, b) -> a, LinkedHashMap::new))
                    .entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("store", e.getKey()), e.getValue() ? 1 : 0)).toList(), true);
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * The report of a check that ended less than {@link #FRESH} ago, else of the check running now (one
     * is started when none runs): never more than one check at a time, however many ask.
     */
    public Report check() {
        CompletableFuture<Report> running;
        boolean mine = false;
        synchronized (checking) {
            if (last != null && System.nanoTime() - lastAt < FRESH.toNanos()) {
                return last;
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            running = inFlight;
        }
        if (mine) {
            try {
                Report report = probeAll();
                synchronized (checking) {
                    last = report;
                    lastAt = System.nanoTime();
                    inFlight = null;
                }
                running.complete(report);
            } catch (RuntimeException | Error e) {
                synchronized (checking) {
                    inFlight = null;
                }
                running.completeExceptionally(e);
                throw e;
            }
        }
        return running.join();
    }

    /** Probes every store whose last probe ended, at once, and answers for every service. */
    private Report probeAll() {
        Map<String, StoreProbe> probes;
        Map<String, List<String>> needs;
        synchronized (this) {
            probes = new LinkedHashMap<>(stores);
            needs = new LinkedHashMap<>(services);
        }
        Map<String, Future<Optional<String>>> asked = new LinkedHashMap<>();
        Map<String, StoreStatus> answers = new LinkedHashMap<>();
        probes.forEach((name, probe) -> {
            if (!outstanding.add(name)) {
                answers.put(name, new StoreStatus(name, false, Optional.of("the previous probe has not answered yet")));
                return;
            }
            CompletableFuture<Optional<String>> task = new CompletableFuture<>();
            try {
                // Not interrupted on a timeout: each probe bounds its own round trip, and its thread is freed when it returns.
                probing.execute(() -> {
                    Optional<String> problem = null;
                    Throwable failure = null;
                    try {
                        problem = probe.problem();
                    } catch (Throwable e) {
                        failure = e;
                    }
                    outstanding.remove(name);
                    if (failure == null) {
                        task.complete(problem);
                    } else {
                        task.completeExceptionally(failure);
                    }
                });
                asked.put(name, task);
            } catch (RejectedExecutionException e) {
                outstanding.remove(name);
                answers.put(name, new StoreStatus(name, false, Optional.of("no probe thread free")));
            }
        });
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        asked.forEach((name, future) -> answers.put(name, answer(name, future, deadline)));
        answers.values().forEach(this::logChange);
        List<ServiceStatus> result = new ArrayList<>();
        needs.forEach((service, stores) -> result.add(new ServiceStatus(service, stores.stream().map(answers::get).toList())));
        return new Report(result);
    }

    private void logChange(StoreStatus status) {
        if (status.up()) {
            if (down.remove(status.store()) != null) {
                log.info("store up again store={}", status.store());
            }
        } else {
            String why = status.why().orElse("unknown");
            if (!why.equals(down.put(status.store(), why))) {
                log.warn("store down store={} why={}", status.store(), why);
            }
        }
    }

    private static StoreStatus answer(String name, Future<Optional<String>> future, long deadline) {
        try {
            Optional<String> problem = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new StoreStatus(name, problem.isEmpty(), problem);
        } catch (TimeoutException e) {
            return new StoreStatus(name, false, Optional.of("no answer within " + TIMEOUT.toSeconds() + " s"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new StoreStatus(name, false, Optional.of(cause.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StoreStatus(name, false, Optional.of("interrupted"));
        }
    }

    @Override
    public void close() {
        exporting.shutdownNow();
        probing.shutdownNow();
    }
}
