package io.cumulus.ingest.gateway;

/**
 * Rate limits shared by every instance of the API (Redis when one is configured, this process's
 * memory otherwise). {@link #take} spends one token of the key's bucket, or refuses with
 * {@link TooManyRequestsException} ({@code 429} with {@code Retry-After}) when the bucket is empty.
 */
public interface RateLimits {

    /** Spends one token of {@code limit}'s bucket for {@code key}; throws {@link TooManyRequestsException} when none is left. */
    void take(Limit limit, String key);

    /**
     * Returns one token {@link #take} spent, for an attempt that turned out not to count (a password
     * that was right): the bucket never holds more than its burst. Best effort: a token that cannot be
     * returned only makes the limit stricter until the bucket refills.
     */
    void giveBack(Limit limit, String key);
}
