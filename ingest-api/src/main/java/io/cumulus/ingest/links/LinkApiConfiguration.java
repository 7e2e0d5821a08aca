package io.cumulus.ingest.links;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.auth.PasswordHasher;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.gateway.RateLimits;

/**
 * Public links: the maker's endpoints ({@link LinkController}), the public surface under {@code /s/}
 * ({@link PublicLinkController}) and what they share. No property of its own: the rate limits are the
 * gateway's {@code LINK_REQUESTS} and {@code LINK_PASSWORD}, and passwords use the API's
 * {@link PasswordHasher}.
 */
@Configuration(proxyBeanMethods = false)
@Import({LinkController.class, PublicLinkController.class})
public class LinkApiConfiguration {

    @Bean
    LinkStore ingestLinkStore(IngestDatabase db) {
        return new LinkStore(db);
    }

    @Bean
    LinkTargets ingestLinkTargets(IngestDatabase db) {
        return new LinkTargets(db);
    }

    @Bean
    LinkAccess ingestLinkAccess(LinkStore links, RateLimits ingestRateLimits, PasswordHasher hasher) {
        return new LinkAccess(links, ingestRateLimits, hasher);
    }

    @Bean
    LinkDownload ingestLinkDownload(BlobStore blobs) {
        return new LinkDownload(blobs);
    }

    @Bean
    FilterRegistrationBean<LinkSecurityHeaders> ingestLinkSecurityHeaders() {
        FilterRegistrationBean<LinkSecurityHeaders> registration = new FilterRegistrationBean<>(new LinkSecurityHeaders());
        registration.addUrlPatterns(LinkSecurityHeaders.URL_PATTERN);
        return registration;
    }
}
