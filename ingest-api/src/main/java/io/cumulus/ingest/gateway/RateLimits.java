package io.cumulus.ingest.gateway;

/**
 * Rate limits shared by every instance of the API (Redis when one is configured, this process's
 * memory otherwise). {@link #take} spends one token of the key's bucket, or refuses with
 * {@link TooManyRequestsException} ({@code 429} with {@code Retry-After}) when the bucket is empty.
 */
public interface RateLimits {

    /** Spends one token of {@code limit}'s bucket for {@code key}; throws {@link TooManyRequestsException} when none is left. */
    void take(Limit limit, String key);
}
