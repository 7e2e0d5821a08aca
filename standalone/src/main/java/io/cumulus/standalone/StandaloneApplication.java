package io.cumulus.standalone;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestApiConfiguration;
import io.cumulus.ingest.backpressure.PipelineLag;
import io.cumulus.notifier.NotifierConfiguration;
import io.cumulus.notifier.OutcomeListener;
import io.cumulus.standalone.rebuild.RebuildConfiguration;

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

    /** The process's health answers (registered by StandaloneServer) on the API's port. */
    @Bean
    HealthEndpoints standaloneHealthEndpoints(io.cumulus.standalone.operations.Health health) {
        return new HealthEndpoints(health);
    }
}
