/**
 * The gateway duties of the ingest API: rate limits shared by every instance ({@link
 * io.cumulus.ingest.gateway.RateLimits}, in Redis through Bucket4j when {@code cumulus.redis.url} is set,
 * in this process's memory otherwise), the per-device and per-account request limits applied after
 * device authentication ({@link io.cumulus.ingest.gateway.RequestLimits}), and the throttling of
 * password attempts per account and per client address ({@link io.cumulus.ingest.gateway.LoginThrottle}).
 * A spent limit answers {@code 429} with {@code Retry-After} in problem+json. Settings and defaults:
 * docs/limits.md; why they are shaped so: docs/decisions/0027-gateway-limits-in-redis-and-argon2id.md.
 */
package io.cumulus.ingest.gateway;
