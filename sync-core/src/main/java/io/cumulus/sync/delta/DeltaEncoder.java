package io.cumulus.sync.delta;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cumulus.sync.hash.Sha256;

/**
 * Describes a target as copies of a base's blocks and literal bytes (rsync's algorithm): the
 * target is scanned with a rolling checksum, a window whose checksum names a base block is
 * confirmed, then copied, and everything between confirmed blocks travels as literal bytes.
 *
 * <p>Two ways in: {@link #encode(Signature, byte[])} for the side that lacks the base (a match is
 * confirmed by the 64-bit strong hash prefix), and {@link #encode(byte[], byte[])} for the side that
 * holds both (a match is confirmed by comparing bytes, and grown backwards over the literal before
 * it and forwards after it, so an insert costs little more than the inserted bytes).
 */
public final class DeltaEncoder {
    private static final int MAX_CANDIDATES = 8;

    private DeltaEncoder() {
    }

    /** A delta that rebuilds {@code target} from the base {@code signature} describes. */
    public static byte[] encode(Signature signature, byte[] target) {
        MessageDigest sha = Sha256.newDigest();
        return encode(signature, target, (block, pos, length) ->
                Signature.strongPrefix(sha, target, pos, length) == signature.strong()[block], null);
    }

    /** A delta that rebuilds {@code target} from {@code base}, which this side holds. */
    public static byte[] encode(byte[] base, byte[] target) {
        Signature weakOnly = weakSignature(base, Signature.DEFAULT_BLOCK_SIZE);
        int bs = weakOnly.blockSize();
        return encode(weakOnly, target, (block, pos, length) ->
                Arrays.equals(base, block * bs, block * bs + length, target, pos, pos + length), base);
    }

    private interface Confirm {
        boolean matches(int block, int targetPos, int length);
    }

    private static byte[] encode(Signature sig, byte[] target, Confirm confirm, byte[] base) {
        int bs = sig.blockSize();
        int fullBlocks = (int) (sig.baseLength() / bs);
        Map<Integer, List<Integer>> byWeak = new HashMap<>();
        for (int i = 0; i < fullBlocks; i++) {
            byWeak.computeIfAbsent(sig.weak()[i], k -> new ArrayList<>(1)).add(i);
        }
        DeltaCodec.Writer out = new DeltaCodec.Writer(sig.baseLength(), target.length);
        int literalFrom = 0;
        int pos = 0;
        int expectedNext = -1; // the block after the last match: preferred, so copies merge
        RollingChecksum rolling = new RollingChecksum();
        if (target.length >= bs) {
            rolling.reset(target, 0, bs);
        }
        while (pos + bs <= target.length && fullBlocks > 0) {
            int match = -1;
            List<Integer> candidates = byWeak.get(rolling.value());
            if (candidates != null) {
                if (expectedNext >= 0 && expectedNext < fullBlocks && sig.weak()[expectedNext] == rolling.value()
                        && confirm.matches(expectedNext, pos, bs)) {
                    match = expectedNext;
                } else {
                    // At most a few candidates per position: blocks crafted to share one weak sum must not
                    // turn the scan quadratic (a client's chunks are the base of the server's encodes).
                    for (int i = 0, n = Math.min(candidates.size(), MAX_CANDIDATES); i < n; i++) {
                        if (confirm.matches(candidates.get(i), pos, bs)) {
                            match = candidates.get(i);
                            break;
                        }
                    }
                }
            }
            if (match >= 0) {
                long baseFrom = (long) match * bs;
                int start = pos;
                if (base != null) {
                    // Grow the copy backwards over the pending literal while the bytes agree.
                    while (start > literalFrom && baseFrom > 0 && base[(int) baseFrom - 1] == target[start - 1]) {
                        start--;
                        baseFrom--;
                    }
                }
                long baseEnd = (long) match * bs + bs;
                pos += bs;
                if (base != null) {
                    // And forwards past the block, up to the next difference.
                    while (pos < target.length && baseEnd < base.length && base[(int) baseEnd] == target[pos]) {
                        pos++;
                        baseEnd++;
                    }
                }
                out.literal(target, literalFrom, start - literalFrom);
                out.copy(baseFrom, baseEnd - baseFrom);
                literalFrom = pos;
                expectedNext = baseEnd % bs == 0 ? (int) (baseEnd / bs) : -1;
                if (pos + bs <= target.length) {
                    rolling.reset(target, pos, bs);
                }
            } else {
                if (pos + bs < target.length) {
                    rolling.roll(target[pos], target[pos + bs]);
                }
                pos++;
            }
        }
        // The base's short last block can only match at the end of the target.
        int last = sig.blockCount() - 1;
        int tail = last >= 0 ? sig.blockLength(last) : 0;
        if (tail > 0 && tail < bs && target.length - literalFrom >= tail) {
            int at = target.length - tail;
            if (RollingChecksum.of(target, at, tail) == sig.weak()[last] && confirm.matches(last, at, tail)) {
                out.literal(target, literalFrom, at - literalFrom);
                out.copy((long) last * bs, tail);
                literalFrom = target.length;
            }
        }
        out.literal(target, literalFrom, target.length - literalFrom);
        return out.finish();
    }

    private static Signature weakSignature(byte[] base, int blockSize) {
        int count = (base.length + blockSize - 1) / blockSize;
        int[] weak = new int[count];
        for (int i = 0; i < count; i++) {
            int from = i * blockSize;
            weak[i] = RollingChecksum.of(base, from, Math.min(blockSize, base.length - from));
        }
        return new Signature(blockSize, base.length, weak, new long[count]);
    }
}
