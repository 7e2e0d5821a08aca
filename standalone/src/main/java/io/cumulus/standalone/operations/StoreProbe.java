package io.cumulus.standalone.operations;

import java.util.Optional;

/**
 * Asks one store (or one running stage) whether it can serve now: empty when it can, else why not in
 * words. A probe may block (a connection, a round trip); {@link Readiness} bounds the wait.
 */
@FunctionalInterface
public interface StoreProbe {
    Optional<String> problem() throws Exception;
}
