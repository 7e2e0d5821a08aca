package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A small edit of a large file travels as chunk deltas on both legs (decision 0017): one byte
 * inserted in the middle of a multi-MiB file costs a few KiB on the wire, not a whole chunk.
 */
class SmallDeltasIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void oneByteInsertedInTheMiddleOfALargeFileMovesFarFewerBytesThanAChunkOnEachLeg() throws IOException {
        // given two devices, each behind a byte-counting proxy, that both hold an 8 MiB file
        String user = server.newAccount();
        try (CountingProxy laptopLeg = new CountingProxy(server.url()); CountingProxy phoneLeg = new CountingProxy(server.url())) {
            Device laptop = Device.login(server, laptopLeg.url(), user, "Laptop");
            Device phone = Device.login(server, phoneLeg.url(), user, "Phone");
            byte[] original = new byte[8 << 20];
            new Random(12).nextBytes(original);
            laptop.write("big.bin", original);
            laptop.syncInSync();
            phone.syncInSync();
            assertThat(phone.file("big.bin")).hasBinaryContent(original);

            // when one byte is inserted in its middle on the laptop, and both sync
            byte[] edited = new byte[original.length + 1];
            int middle = original.length / 2;
            System.arraycopy(original, 0, edited, 0, middle);
            edited[middle] = 42;
            System.arraycopy(original, middle, edited, middle + 1, original.length - middle);
            laptop.write("big.bin", edited);
            laptopLeg.reset();
            phoneLeg.reset();
            laptop.syncInSync();
            long laptopBytes = laptopLeg.total();
            phone.syncInSync();
            long phoneBytes = phoneLeg.total();
            System.out.println("one byte inserted in 8 MiB: laptop leg " + laptopLeg.describe() + ", phone leg " + phoneLeg.describe());

            // then the phone has the edited bytes, and neither leg carried anything near a chunk (at least 256 KiB)
            assertThat(phone.file("big.bin")).hasBinaryContent(edited);
            assertThat(Files.size(phone.file("big.bin"))).isEqualTo(edited.length);
            assertThat(laptopBytes).as(laptopLeg.describe()).isLessThan(128 * 1024);
            assertThat(phoneBytes).as(phoneLeg.describe()).isLessThan(128 * 1024);
        }
    }
}
