package io.cumulus.standalone;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.support.GenericApplicationContext;

import io.cumulus.ingest.IngestApiConfiguration;
import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.backpressure.PipelineLag;
import io.cumulus.notifier.NotifierConfiguration;
import io.cumulus.notifier.OutcomeListener;
import io.cumulus.standalone.rebuild.RebuildConfiguration;
import io.cumulus.standalone.operations.Health;
import io.cumulus.standalone.operations.ProcessOperations;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The web half of the standalone process: the ingest API and the notifier's WebSocket endpoint in
 * one Spring context on one port. Each module contributes one configuration class; nothing is
 * component-scanned across modules. The one connection made here: the outcomes the notifier reads
 * tell the intake's back-pressure which batches are decided. The rebuilds of derived stores
 * ({@code /v1/admin/rebuilds}) run here too, beside the API that reads those stores.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({IngestApiConfiguration.class, NotifierConfiguration.class, RebuildConfiguration.class})
public class StandaloneApplication {

    @Bean
    OutcomeListener standaloneDecidedBatches(PipelineLag ingestPipelineLag) {
        return new DecidedBatches(ingestPipelineLag);
    }

    /** The process's health answers (registered by {@link #operatedBy}) on the API's port. */
    @Bean
    HealthEndpoints standaloneHealthEndpoints(Health health, AdminToken adminToken) {
        return new HealthEndpoints(health, adminToken);
    }

    /**
     * Hands the process's operations to the context before it starts: its Prometheus registry becomes
     * the context's (the actuator exports it, Spring binds the JVM's and the HTTP server's meters to
     * it), and its health answers are served beside the API. The process closes them, not the context.
     */
    static ApplicationContextInitializer<ConfigurableApplicationContext> operatedBy(ProcessOperations operations) {
        return context -> {
            GenericApplicationContext beans = (GenericApplicationContext) context;
            beans.registerBean("prometheusMeterRegistry", PrometheusMeterRegistry.class,
                    () -> operations.metrics().registry(), d -> d.setDestroyMethodName(""));
            beans.registerBean("prometheusRegistry", PrometheusRegistry.class,
                    () -> operations.metrics().registry().getPrometheusRegistry(), d -> d.setDestroyMethodName(""));
            beans.registerBean("cumulusHealth", Health.class, operations::health, d -> d.setDestroyMethodName(""));
        };
    }
}
