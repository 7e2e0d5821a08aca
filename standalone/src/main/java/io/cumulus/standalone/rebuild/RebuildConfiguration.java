package io.cumulus.standalone.rebuild;

import java.net.InetSocketAddress;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.projector.CassandraSettings;

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

    /** Only where the sync state is in Cassandra, in the keyspace (and its generations) the API reads. */
    @Bean
    @ConditionalOnProperty(name = "cumulus.sync-state.store", havingValue = "cassandra")
    Projection rebuildSyncState(DataSource dataSource,
                                @Value("${cumulus.cassandra.contact-points:127.0.0.1:9042}") String contactPoints,
                                @Value("${cumulus.cassandra.datacenter:datacenter1}") String datacenter,
                                @Value("${cumulus.cassandra.keyspace:cumulus}") String keyspace) {
        List<InetSocketAddress> points = io.cumulus.ingest.syncstate.CassandraSettings.parseContactPoints(contactPoints)
                .stream().map(a -> new InetSocketAddress(a.getHostString(), a.getPort())).toList();
        return new SyncStateProjection(dataSource, CassandraSettings.of(points, datacenter, keyspace));
    }

    @Bean(destroyMethod = "close")
    Rebuilds rebuilds(List<Projection> projections, @Value("${cumulus.kafka.bootstrap-servers}") String bootstrapServers,
                      DataSource dataSource) {
        Rebuilds rebuilds = new Rebuilds(projections, bootstrapServers, dataSource);
        rebuilds.sweepLeftovers();
        return rebuilds;
    }

    @Bean
    RebuildController rebuildController(Rebuilds rebuilds, AdminToken adminToken, JsonBody jsonBody) {
        return new RebuildController(rebuilds, adminToken, jsonBody);
    }
}
