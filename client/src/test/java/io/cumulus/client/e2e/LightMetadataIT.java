package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device sends little for what the server has already: a copy of synced files asks about no chunk
 * (the device's own synced files reference them), and still arrives when the server has lost one.
 */
class LightMetadataIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void aCopyOfSyncedFilesArrivesEvenWhenTheServerLostTheirChunksForThisAccount() throws IOException {
        // given two files synced to two devices
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("docs/a.bin", bytes(300_000, 1));
        laptop.write("docs/b.txt", "some text\n");
        laptop.syncInSync();
        phone.syncInSync();
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(2);

        // when the server no longer counts the account's chunks as its own, and the laptop copies the folder
        server.execute("delete from ingest.account_chunks where account_id = (select id from ingest.accounts where username = ?)", user);
        Files.createDirectories(laptop.file("copy"));
        Files.copy(laptop.file("docs/a.bin"), laptop.file("copy/a.bin"));
        Files.copy(laptop.file("docs/b.txt"), laptop.file("copy/b.txt"));
        laptop.syncInSync();
        phone.syncInSync();

        // then the laptop, refused for the missing chunks, uploaded them again within the same sync, and the copy arrived
        assertThat(laptop.tree()).containsKeys("copy/a.bin", "copy/b.txt");
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(4);
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
