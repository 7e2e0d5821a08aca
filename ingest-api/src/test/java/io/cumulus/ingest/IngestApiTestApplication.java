package io.cumulus.ingest;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The ingest API alone in a Spring Boot context, wired the way the standalone process wires it. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(IngestApiConfiguration.class)
public class IngestApiTestApplication {
}
