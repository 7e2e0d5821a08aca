package io.cumulus.notifier;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Admits a WebSocket handshake only with {@code Authorization: Bearer <device token>} of a device
 * that is not revoked, and hands the {@link ConnectedDevice} to the session's attributes. Anything
 * else is refused with 401 before the upgrade; a database that cannot answer gives 503.
 */
final class DeviceHandshakeInterceptor implements HandshakeInterceptor {
    static final String DEVICE_ATTRIBUTE = "cumulus.notifier.device";
    private static final Logger log = LoggerFactory.getLogger(DeviceHandshakeInterceptor.class);
    private static final String BEARER = "bearer ";

    private final DeviceDirectory devices;

    DeviceHandshakeInterceptor(DeviceDirectory devices) {
        this.devices = devices;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) {
        Optional<String> token = bearerToken(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        Optional<ConnectedDevice> device;
        try {
            device = token.flatMap(devices::connect);
        } catch (DataAccessException e) {
            // The device may retry; telling it to come back is better than a 500 or a hang.
            log.error("notify handshake refused, database unavailable error={}", e.toString());
            response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
            return false;
        }
        if (device.isEmpty()) {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            return false;
        }
        attributes.put(DEVICE_ATTRIBUTE, wantsOutcomes(request.getURI().getRawQuery()) ? device.get() : device.get().withoutOutcomes());
        return true;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Exception exception) {
    }

    /** {@code /v1/notify?outcomes=false}: no outcome frames for this session; anything else keeps them. */
    static boolean wantsOutcomes(String rawQuery) {
        if (rawQuery == null) {
            return true;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.equals("outcomes=false")) {
                return false;
            }
        }
        return true;
    }

    static Optional<String> bearerToken(String header) {
        if (header == null || !header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return Optional.empty();
        }
        String token = header.substring(BEARER.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
