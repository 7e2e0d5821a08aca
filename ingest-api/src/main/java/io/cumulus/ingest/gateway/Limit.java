package io.cumulus.ingest.gateway;

/**
 * The rate limits of the gateway: each is a bucket per key (an account, a device, an address, a
 * link token), refilled at the configured rate. Their sizes are set by {@code cumulus.limits.*}.
 */
public enum Limit {
    /** Password attempts against one account (login, device registration), failed or not. */
    LOGIN_ACCOUNT,
    /** Password attempts from one client address, whichever accounts they name. */
    LOGIN_ADDRESS,
    /** Requests of one device. */
    DEVICE_REQUESTS,
    /** Requests of all the devices of one account together. */
    ACCOUNT_REQUESTS,
    /** Requests through one public link, and downloads through links from one address. */
    LINK_REQUESTS,
    /** Password attempts against one public link. */
    LINK_PASSWORD;

    /** The limit's name in settings and in Redis keys: {@code DEVICE_REQUESTS} is {@code device-requests}. */
    public String settingName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
