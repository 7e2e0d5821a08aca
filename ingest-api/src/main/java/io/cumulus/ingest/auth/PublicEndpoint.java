package io.cumulus.ingest.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an ingest API handler that needs no device token: account creation (which checks the
 * admin token itself), login and device registration (which check a password). Every other
 * handler of the ingest API requires a valid {@link DeviceSession}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PublicEndpoint {
}
