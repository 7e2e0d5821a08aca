package io.cumulus.ingest.changes;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * The client's name for one logical submission ({@code Idempotency-Key} header): 1 to 200
 * printable ASCII characters, unique per account. A retry with the same key and the same request
 * gets the first answer again.
 */
public record IdempotencyKey(String value) {
    public static final int MAX_LENGTH = 200;

    public IdempotencyKey {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH
                || !value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
            throw new InvalidRequestException("invalid-idempotency-key", "Invalid Idempotency-Key",
                    "the Idempotency-Key header must be 1 to " + MAX_LENGTH + " printable ASCII characters");
        }
    }
}
