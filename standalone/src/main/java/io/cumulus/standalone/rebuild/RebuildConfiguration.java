package io.cumulus.standalone.rebuild;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.cumulus.ingest.auth.AdminToken;

/**
 * The rebuilds in the API's Spring context: one {@link Projection} bean per store this process can
 * rebuild (each in the database or cluster the context is configured with), the {@link Rebuilds} that
 * runs them, and its endpoints.
 */
@Configuration(proxyBeanMethods = false)
public class RebuildConfiguration {

    @Bean
    Projection rebuildReadModel(DataSource dataSource) {
        return new ReadModelProjection(dataSource);
    }

    @Bean
    Projection rebuildChunkRefs(DataSource dataSource) {
        return new ChunkRefsProjection(dataSource);
    }

    @Bean
    Projection rebuildPhotos(DataSource dataSource) {
        return new PhotosProjection(dataSource);
    }

    @Bean(destroyMethod = "close")
    Rebuilds rebuilds(List<Projection> projections, @Value("${cumulus.kafka.bootstrap-servers}") String bootstrapServers) {
        return new Rebuilds(projections, bootstrapServers);
    }

    @Bean
    RebuildController rebuildController(Rebuilds rebuilds, AdminToken adminToken) {
        return new RebuildController(rebuilds, adminToken);
    }
}
