package io.cumulus.sync.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DeltaCodecTest {
    private static final long LIMIT = 4L << 20;

    @Test
    void oneByteInsertedInTheMiddleOfAMebibyteCostsAboutOneBlockFromASignature() {
        byte[] base = random(1 << 20, 1);
        byte[] target = insert(base, base.length / 2, (byte) 7);

        byte[] signature = Signature.of(base).toBytes();
        byte[] delta = DeltaEncoder.encode(Signature.parse(signature, LIMIT), target);

        assertThat(DeltaCodec.apply(base, delta, LIMIT)).isEqualTo(target);
        assertThat(signature.length).isLessThan(7 * 1024);
        assertThat(delta.length).isLessThan(2 * Signature.DEFAULT_BLOCK_SIZE + 64);
    }

    @Test
    void oneByteInsertedCostsAFewBytesWhenTheEncoderHoldsTheBase() {
        byte[] base = random(1 << 20, 2);
        byte[] target = insert(base, 123_457, (byte) 7);

        byte[] delta = DeltaEncoder.encode(base, target);

        assertThat(DeltaCodec.apply(base, delta, LIMIT)).isEqualTo(target);
        assertThat(delta.length).isLessThan(64);
    }

    @Test
    void unrelatedContentTravelsAsOneLiteral() {
        byte[] base = random(100_000, 3);
        byte[] target = random(90_000, 4);

        byte[] delta = DeltaEncoder.encode(Signature.of(base), target);

        assertThat(DeltaCodec.apply(base, delta, LIMIT)).isEqualTo(target);
        assertThat(delta.length).isBetween(target.length, target.length + 16);
    }

    @Test
    void aDeltaAgainstAnotherBaseLengthIsRefused() {
        byte[] base = random(10_000, 5);
        byte[] delta = DeltaEncoder.encode(base, base);

        assertThatThrownBy(() -> DeltaCodec.apply(Arrays.copyOf(base, 9_999), delta, LIMIT))
                .isInstanceOf(MalformedDeltaException.class);
    }

    @Test
    void aTargetOverTheLimitIsRefusedBeforeAnythingIsAllocated() {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(DeltaCodec.VERSION);
        Varint.write(d, 0);
        Varint.write(d, Long.MAX_VALUE / 2);

        assertThatThrownBy(() -> DeltaCodec.apply(new byte[0], d.toByteArray(), LIMIT))
                .isInstanceOf(MalformedDeltaException.class).hasMessageContaining("over the limit");
    }

    @Test
    void aCopyOutsideTheBaseIsRefused() {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(DeltaCodec.VERSION);
        Varint.write(d, 10);
        Varint.write(d, 10);
        d.write(DeltaCodec.COPY);
        Varint.write(d, 5);
        Varint.write(d, 10);

        assertThatThrownBy(() -> DeltaCodec.apply(new byte[10], d.toByteArray(), LIMIT))
                .isInstanceOf(MalformedDeltaException.class).hasMessageContaining("outside the base");
    }

    @Test
    void aLiteralLongerThanTheDeltaIsRefused() {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(DeltaCodec.VERSION);
        Varint.write(d, 0);
        Varint.write(d, 100);
        d.write(DeltaCodec.LITERAL);
        Varint.write(d, 100);
        d.write(1);

        assertThatThrownBy(() -> DeltaCodec.apply(new byte[0], d.toByteArray(), LIMIT))
                .isInstanceOf(MalformedDeltaException.class);
    }

    @Test
    void aDeltaThatLeavesTheTargetShortIsRefused() {
        byte[] base = random(10_000, 6);
        byte[] delta = DeltaEncoder.encode(base, base);
        byte[] cut = Arrays.copyOf(delta, delta.length - 1);

        assertThatThrownBy(() -> DeltaCodec.apply(base, cut, LIMIT)).isInstanceOf(MalformedDeltaException.class);
    }

    @Test
    void garbageIsRefused() {
        for (int seed = 0; seed < 200; seed++) {
            byte[] junk = random(1 + seed % 40, seed);
            junk[0] = (byte) DeltaCodec.VERSION;
            try {
                DeltaCodec.apply(new byte[100], junk, LIMIT);
            } catch (MalformedDeltaException expected) {
                // the only failure allowed
            }
        }
    }

    @Test
    void aSignatureWhoseHashesDoNotMatchItsLengthIsRefused() {
        byte[] sig = Signature.of(random(10_000, 7)).toBytes();

        assertThatThrownBy(() -> Signature.parse(Arrays.copyOf(sig, sig.length - 1), LIMIT)).isInstanceOf(MalformedDeltaException.class);
        assertThatThrownBy(() -> Signature.parse(sig, 9_999)).isInstanceOf(MalformedDeltaException.class);
        assertThat(Signature.parse(sig, LIMIT)).isEqualTo(Signature.of(random(10_000, 7)));
    }

    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] insert(byte[] data, int at, byte b) {
        byte[] out = new byte[data.length + 1];
        System.arraycopy(data, 0, out, 0, at);
        out[at] = b;
        System.arraycopy(data, at, out, at + 1, data.length - at);
        return out;
    }
}
