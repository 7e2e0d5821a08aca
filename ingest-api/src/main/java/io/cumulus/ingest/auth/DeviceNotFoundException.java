package io.cumulus.ingest.auth;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A device id that is not one of the caller's account's devices (another account's is not found either). */
public final class DeviceNotFoundException extends ProblemException {

    public DeviceNotFoundException(String deviceId) {
        super(HttpStatus.NOT_FOUND, "device-not-found", "Device not found", "no device " + deviceId + " in this account");
    }
}
