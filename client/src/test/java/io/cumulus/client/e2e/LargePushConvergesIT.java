package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A push of more files than one early commit holds (the client commits the new and edited files
 * read so far while it reads the rest): renames, a path taken over by a new file, deletions and
 * copies spread over several groups still arrive as what they are, and every device converges.
 */
class LargePushConvergesIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void renamesAndReplacementsAcrossEarlyCommitsConverge() throws IOException {
        // given 1,300 small files and two large ones, synced to a second device
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        for (int i = 0; i < 1_300; i++) {
            laptop.write(String.format("small/%02d/f%04d.txt", i % 40, i), "file " + i + "\n");
        }
        laptop.write("large/one.bin", FoldersConvergeIT.bytes(3_000_000, 1));
        laptop.write("large/two.bin", FoldersConvergeIT.bytes(5_000_000, 2));
        laptop.syncInSync();
        phone.syncInSync();
        assertThat(phone.tree()).isEqualTo(laptop.tree()).hasSize(1_302);

        // when the laptop renames 700 files into another folder, puts a new file where a renamed one was, deletes
        // 100, copies 200 and edits a large file, all in one push
        Files.createDirectories(laptop.file("moved"));
        for (int i = 0; i < 700; i++) {
            String from = String.format("small/%02d/f%04d.txt", i % 40, i);
            Files.move(laptop.file(from), laptop.file(String.format("moved/f%04d.txt", i)));
        }
        laptop.write("small/00/f0000.txt", "a new file where a renamed one was\n");
        for (int i = 700; i < 800; i++) {
            Files.delete(laptop.file(String.format("small/%02d/f%04d.txt", i % 40, i)));
        }
        Files.createDirectories(laptop.file("copies"));
        for (int i = 800; i < 1_000; i++) {
            Files.copy(laptop.file(String.format("small/%02d/f%04d.txt", i % 40, i)), laptop.file(String.format("copies/c%04d.txt", i)),
                    java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        byte[] edited = FoldersConvergeIT.bytes(5_000_000, 2);
        edited[2_500_000] ^= 1;
        laptop.write("large/two.bin", edited);
        laptop.syncInSync();
        phone.syncInSync();

        // then the phone holds exactly the laptop's files, and the renamed files kept their history (renames, not
        // deletions: nothing but the 100 deleted files went to the trash)
        Map<String, String> expected = laptop.tree();
        assertThat(expected).hasSize(1_302 - 100 + 1 + 200);
        assertThat(expected).containsKey("moved/f0699.txt").containsKey("small/00/f0000.txt").doesNotContainKey("small/39/f0799.txt");
        assertThat(phone.tree()).isEqualTo(expected);
        assertThat(Files.readString(phone.file("small/00/f0000.txt"))).isEqualTo("a new file where a renamed one was\n");
        assertThat(Files.readString(phone.file("moved/f0000.txt"))).isEqualTo("file 0\n");
        int before = laptop.output().length();
        assertThat(laptop.run("trash")).isZero();
        String trash = laptop.output().substring(before);
        assertThat(trash).contains("small/39/f0799.txt").doesNotContain("f0699").doesNotContain("moved/");
    }
}
