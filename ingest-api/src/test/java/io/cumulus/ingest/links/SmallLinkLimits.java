package io.cumulus.ingest.links;

import java.util.Map;

import io.cumulus.ingest.gateway.Limit;

/**
 * The API's rate limits with {@link Limit#LINK_REQUESTS} at {@value #LINK_REQUESTS} per hour, for an
 * instance started with {@link #PROPERTIES}; every other limit keeps its default.
 */
final class SmallLinkLimits {
    static final int LINK_REQUESTS = 3;
    static final Map<String, Object> PROPERTIES = Map.of(
            "cumulus.limits.link-requests.burst", LINK_REQUESTS,
            "cumulus.limits.link-requests.per", "1h");

    private SmallLinkLimits() {
    }
}
