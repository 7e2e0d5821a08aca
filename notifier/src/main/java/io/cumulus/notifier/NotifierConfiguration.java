package io.cumulus.notifier;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * The notifier's part of the web process: the {@code /v1/notify} WebSocket endpoint, the fanout of
 * pushes to its sessions, and the Kafka reader that feeds it. It uses the context's
 * {@link DataSource} (to read device tokens and memberships from the {@code ingest} schema) and the
 * property {@code cumulus.kafka.bootstrap-servers}; it closes the sessions of devices revoked
 * while connected ({@link RevokedDeviceSweep}) and keeps its sessions' namespaces equal to their
 * accounts' memberships ({@link MembershipSweep}). Bean names start with {@code notifier} so that
 * they sit beside any other module's beans in one context.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
public class NotifierConfiguration {
    /** How long one frame may take to reach a client before the client is dropped. */
    static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(10);
    /** How much text may wait for one client before it is dropped. */
    static final int BUFFER_SIZE_LIMIT = 512 * 1024;

    @Bean
    NotificationFanout notifierFanout() {
        return new NotificationFanout(SEND_TIME_LIMIT, BUFFER_SIZE_LIMIT);
    }

    /**
     * The device lookups' breaker joins the process's registry when there is one (its breakers are
     * exported as metrics), else a registry of its own.
     */
    @Bean
    DeviceDirectory notifierDeviceDirectory(DataSource dataSource, ObjectProvider<CircuitBreakerRegistry> breakers,
            @Value("${cumulus.breakers.open-seconds:5}") long openSeconds) {
        CircuitBreakerRegistry registry = breakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults);
        return new DeviceDirectory(dataSource, registry.circuitBreaker(DeviceDirectory.BREAKER,
                DeviceDirectory.breakerSettings(Duration.ofSeconds(openSeconds))));
    }

    /**
     * How often each instance looks for revoked devices among its connected ones
     * ({@code cumulus.notifier.revocation-check-interval}, 1s by default).
     */
    @Bean
    RevokedDeviceSweep notifierRevokedDeviceSweep(NotificationFanout notifierFanout, DeviceDirectory notifierDeviceDirectory,
            @Value("${cumulus.notifier.revocation-check-interval:1s}") Duration interval) {
        return new RevokedDeviceSweep(notifierFanout, notifierDeviceDirectory, interval);
    }

    /**
     * How often each instance brings its sessions' namespaces up to date with their accounts' memberships
     * ({@code cumulus.notifier.membership-check-interval}, 1s by default).
     */
    @Bean
    MembershipSweep notifierMembershipSweep(NotificationFanout notifierFanout, DeviceDirectory notifierDeviceDirectory,
            @Value("${cumulus.notifier.membership-check-interval:1s}") Duration interval) {
        return new MembershipSweep(notifierFanout, notifierDeviceDirectory, interval);
    }

    /** The Kafka reader; the context's {@link OutcomeListener}s, if any, hear every outcome it reads. */
    @Bean
    NotificationConsumer notifierConsumer(@Value("${cumulus.kafka.bootstrap-servers}") String bootstrapServers,
            NotificationFanout notifierFanout, ObjectProvider<OutcomeListener> outcomeListeners) {
        return new NotificationConsumer(bootstrapServers, notifierFanout, outcomeListeners.orderedStream().toList());
    }

    @Bean
    WebSocketConfigurer notifierEndpoint(NotificationFanout notifierFanout, DeviceDirectory notifierDeviceDirectory) {
        return registry -> registry.addHandler(new NotifyWebSocketHandler(notifierFanout), "/v1/notify")
                .addInterceptors(new DeviceHandshakeInterceptor(notifierDeviceDirectory));
    }
}
