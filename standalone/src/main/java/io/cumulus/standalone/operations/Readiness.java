package io.cumulus.standalone.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Whether each service of this process can do its work now, from the stores it needs: the API
 * PostgreSQL, the blob store and Kafka; the relay its replication slot and Kafka; the reconciler its
 * Streams client running; and so on (docs/metrics.md). Every store is probed once per answer, all at
 * once, each given {@link #TIMEOUT}: a store that does not answer in time is down, so a readiness
 * check never hangs on the store it is asking about.
 */
public final class Readiness implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Map<String, StoreProbe> stores = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService exporting = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cumulus-readiness-export");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService probing = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cumulus-readiness");
        t.setDaemon(true);
        return t;
    });

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

    /** One store's answer: up, or down and why. */
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

        /** {@code {"status":"UP|DOWN","services":[{"service":..,"status":..,"stores":[{"store":..,"status":..,"why":..}]}]}} */
        public String json() {
            StringBuilder out = new StringBuilder("{\"status\":\"").append(ready() ? "UP" : "DOWN").append("\",\"services\":[");
            for (int i = 0; i < services.size(); i++) {
                ServiceStatus service = services.get(i);
                out.append(i == 0 ? "" : ",").append("{\"service\":").append(Json.string(service.service()))
                        .append(",\"status\":\"").append(service.ready() ? "UP" : "DOWN").append("\",\"stores\":[");
                for (int j = 0; j < service.stores().size(); j++) {
                    StoreStatus store = service.stores().get(j);
                    out.append(j == 0 ? "" : ",").append("{\"store\":").append(Json.string(store.store()))
                            .append(",\"status\":\"").append(store.up() ? "UP" : "DOWN").append('"');
                    store.why().ifPresent(why -> out.append(",\"why\":").append(Json.string(why)));
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

    /** Probes every store now and answers for every service. */
    public Report check() {
        Map<String, StoreProbe> probes;
        Map<String, List<String>> needs;
        synchronized (this) {
            probes = new LinkedHashMap<>(stores);
            needs = new LinkedHashMap<>(services);
        }
        Map<String, Future<Optional<String>>> asked = new LinkedHashMap<>();
        probes.forEach((name, probe) -> asked.put(name, probing.submit(probe::problem)));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, StoreStatus> answers = new LinkedHashMap<>();
        asked.forEach((name, future) -> answers.put(name, answer(name, future, deadline)));
        List<ServiceStatus> result = new ArrayList<>();
        needs.forEach((service, stores) -> result.add(new ServiceStatus(service, stores.stream().map(answers::get).toList())));
        return new Report(result);
    }

    private static StoreStatus answer(String name, Future<Optional<String>> future, long deadline) {
        try {
            Optional<String> problem = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new StoreStatus(name, problem.isEmpty(), problem);
        } catch (TimeoutException e) {
            future.cancel(true);
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
