package io.cumulus.standalone;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestApiConfiguration;
import io.cumulus.notifier.NotifierConfiguration;

/**
 * The web half of the standalone process: the ingest API and the notifier's WebSocket endpoint in
 * one Spring context on one port. Each module contributes one configuration class; nothing is
 * component-scanned across modules.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({IngestApiConfiguration.class, NotifierConfiguration.class})
public class StandaloneApplication {
}
