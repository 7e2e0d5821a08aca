package io.cumulus.ingest.shares;

import java.util.Collection;
import java.util.Optional;

import io.cumulus.sync.path.PathKey;

/**
 * Whether a mount path clashes with another mount of the same account: the same folder, or one inside
 * the other. Compared as the client compares paths for collisions ({@link PathKey}: NFC, case-folded),
 * since {@code Family} and {@code family} are one folder on macOS and Windows.
 */
final class MountPaths {

    /** The first of {@code taken} that {@code wanted} coincides or nests with. */
    static Optional<String> clash(String wanted, Collection<String> taken) {
        String key = PathKey.of(wanted).value();
        return taken.stream().filter(other -> {
            String otherKey = PathKey.of(other).value();
            return key.equals(otherKey) || key.startsWith(otherKey + "/") || otherKey.startsWith(key + "/");
        }).findFirst();
    }

    private MountPaths() {
    }
}
