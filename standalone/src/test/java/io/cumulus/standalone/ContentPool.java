package io.cumulus.standalone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.cumulus.sync.hash.Sha256;

/**
 * The chunk contents a stress run draws from, made from a seed. A few shared contents make up most
 * files, so that files of both accounts hold the same chunks; a larger set feeds the garbage uploads,
 * its first contents far more often than its last, so that the same chunk is uploaded again after
 * the collector may have deleted it, and now and then committed after all.
 */
final class ContentPool {
    private final List<byte[]> shared;
    private final List<byte[]> others;
    private final Map<String, byte[]> byId = new HashMap<>();

    ContentPool(long seed, int sharedCount, int otherCount) {
        Random random = new Random(seed);
        this.shared = contents(random, sharedCount);
        this.others = contents(random, otherCount);
    }

    private List<byte[]> contents(Random random, int count) {
        List<byte[]> made = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[64 + random.nextInt(4032)];
            random.nextBytes(content);
            made.add(content);
            byId.put(Sha256.hex(content), content);
        }
        return List.copyOf(made);
    }

    /** One of the few contents most files are made of. */
    byte[] shared(Random random) {
        return shared.get(random.nextInt(shared.size()));
    }

    /** One of the other contents, the first ones far more often (the square of a uniform draw). */
    byte[] other(Random random) {
        double u = random.nextDouble();
        return others.get((int) (others.size() * u * u));
    }

    /** The content whose chunk id is {@code chunkId}. */
    byte[] content(String chunkId) {
        byte[] content = byId.get(chunkId);
        if (content == null) {
            throw new IllegalArgumentException("no content of the pool has chunk id " + chunkId);
        }
        return content;
    }

    static String id(byte[] content) {
        return Sha256.hex(content);
    }
}
