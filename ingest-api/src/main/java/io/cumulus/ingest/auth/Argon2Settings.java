package io.cumulus.ingest.auth;

/**
 * The cost of an Argon2id hash: {@code memoryKib} KiB of memory, {@code iterations} passes over it,
 * {@code parallelism} lanes. The {@linkplain #owasp() defaults} are OWASP's first recommendation
 * (19 MiB, 2 passes, 1 lane: about as slow as PBKDF2 at 600,000 rounds, and memory-hard).
 */
public record Argon2Settings(int memoryKib, int iterations, int parallelism) {
    /** Bounds that also guard verification against a damaged stored value demanding absurd work. */
    static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    static final int MAX_ITERATIONS = 100;
    static final int MAX_PARALLELISM = 64;

    public Argon2Settings {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("Argon2 parallelism must be 1-" + MAX_PARALLELISM + ", was " + parallelism);
        }
        if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("Argon2 memory must be 8 KiB per lane up to " + MAX_MEMORY_KIB
                    + " KiB, was " + memoryKib + " KiB for " + parallelism + " lane(s)");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("Argon2 iterations must be 1-" + MAX_ITERATIONS + ", was " + iterations);
        }
    }

    public static Argon2Settings owasp() {
        return new Argon2Settings(19_456, 2, 1);
    }
}
