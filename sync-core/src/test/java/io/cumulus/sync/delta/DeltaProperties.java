package io.cumulus.sync.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class DeltaProperties {
    private static final long LIMIT = 4L << 20;

    @Provide
    Arbitrary<String> edits() {
        return Arbitraries.of("insert", "delete", "overwrite", "append", "prefix", "truncate", "several", "none", "replace");
    }

    @Property(tries = 200)
    void applyingTheEncodingOfAnEditGivesTheTarget(@ForAll("edits") String edit, @ForAll long seed,
                                                   @ForAll @IntRange(min = 0, max = 200_000) int length,
                                                   @ForAll @IntRange(min = 0, max = 2) int kind) {
        Random r = new Random(seed);
        byte[] base = content(r, length, kind);
        byte[] target = edit(r, base, edit);

        byte[] fromSignature = DeltaEncoder.encode(Signature.parse(Signature.of(base, 64 << r.nextInt(6)).toBytes(), LIMIT), target);
        byte[] fromBase = DeltaEncoder.encode(base, target);

        assertThat(DeltaCodec.apply(base, fromSignature, LIMIT)).isEqualTo(target);
        assertThat(DeltaCodec.apply(base, fromBase, LIMIT)).isEqualTo(target);
        assertThat(DeltaCodec.targetLength(fromBase)).isEqualTo(target.length);
    }

    @Property(tries = 300)
    void aCorruptedDeltaFailsCleanlyOrGivesSomeTargetWithinTheLimit(@ForAll long seed) {
        Random r = new Random(seed);
        byte[] base = content(r, r.nextInt(20_000), 0);
        byte[] delta = DeltaEncoder.encode(base, edit(r, base, "several"));
        for (int i = 0, n = 1 + r.nextInt(4); i < n && delta.length > 0; i++) {
            delta[r.nextInt(delta.length)] = (byte) r.nextInt(256);
        }
        try {
            assertThat(DeltaCodec.apply(base, delta, 30_000).length).isLessThanOrEqualTo(30_000);
        } catch (MalformedDeltaException expected) {
            // a clean refusal
        }
    }

    private static byte[] content(Random r, int length, int kind) {
        byte[] b = new byte[length];
        switch (kind) {
            case 0 -> r.nextBytes(b);
            case 1 -> {
                for (int i = 0; i < length; i++) {
                    b[i] = (byte) (i % 251);
                }
            }
            default -> {
                // zeros: every window has the same checksum
            }
        }
        return b;
    }

    private static byte[] edit(Random r, byte[] base, String edit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = base.length == 0 ? 0 : r.nextInt(base.length + 1);
        byte[] noise = new byte[1 + r.nextInt(5_000)];
        r.nextBytes(noise);
        switch (edit) {
            case "insert" -> {
                out.write(base, 0, at);
                out.writeBytes(noise);
                out.write(base, at, base.length - at);
            }
            case "delete" -> {
                int n = Math.min(base.length - at, noise.length);
                out.write(base, 0, at);
                out.write(base, at + n, base.length - at - n);
            }
            case "overwrite" -> {
                int n = Math.min(base.length - at, noise.length);
                out.write(base, 0, at);
                out.write(noise, 0, n);
                out.write(base, at + n, base.length - at - n);
            }
            case "append" -> {
                out.writeBytes(base);
                out.writeBytes(noise);
            }
            case "prefix" -> {
                out.writeBytes(noise);
                out.writeBytes(base);
            }
            case "truncate" -> out.write(base, 0, at);
            case "several" -> {
                byte[] t = base;
                for (int i = 0; i < 5; i++) {
                    t = edit(r, t, i % 2 == 0 ? "insert" : "delete");
                }
                return t;
            }
            case "replace" -> out.writeBytes(noise);
            default -> out.writeBytes(base);
        }
        return out.toByteArray();
    }
}
