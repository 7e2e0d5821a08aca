package io.cumulus.standalone.operations;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one Prometheus registry of a Cumulus process, shared by all its services. It joins Micrometer's
 * global registry, where the services' own series are recorded wherever they run (the pipeline's
 * stage timers, the sync duration, conflicts, merges), and it is the registry the API's Spring
 * context uses and exports when the API runs here; otherwise {@link ManagementServer} exports it.
 */
public final class ProcessMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private JvmGcMetrics gc;

    public ProcessMetrics() {
        Metrics.globalRegistry.add(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The JVM's own figures (memory, GC, threads, CPU, uptime), for a process with no Spring context:
     * the API's context binds the same ones itself.
     */
    public void bindJvmMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The Prometheus text exposition of every series. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        Metrics.globalRegistry.remove(registry);
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
