package io.cumulus.ingest.gateway;

import org.springframework.web.servlet.HandlerInterceptor;

import io.cumulus.ingest.auth.DeviceAuthentication;
import io.cumulus.ingest.auth.DeviceSession;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Spends a token of {@link Limit#DEVICE_REQUESTS} (the device) and of {@link Limit#ACCOUNT_REQUESTS}
 * (its account) for every request a device token authenticated, before its handler runs; a spent
 * bucket answers {@code 429} with {@code Retry-After}. Registered right after
 * {@link DeviceAuthentication}, whose session it reads; a request without one (a public endpoint, the
 * admin's) is left to the limits of its own endpoint.
 */
public final class RequestLimits implements HandlerInterceptor {
    private final RateLimits limits;

    public RequestLimits(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        DeviceAuthentication.sessionOf(request).ifPresent(this::take);
        return true;
    }

    private void take(DeviceSession session) {
        limits.take(Limit.DEVICE_REQUESTS, session.deviceId().toString());
        limits.take(Limit.ACCOUNT_REQUESTS, session.accountId().toString());
    }
}
