package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A storage quota hit in the middle of an upload, with real clients against a standalone server:
 * what fits is synced, the rest stays on the device (not lost, not sent), deletions still go, and
 * once the admin raises the quota the rest follows.
 */
class QuotaHitMidUploadIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    @Test
    void aFolderBiggerThanTheQuotaSyncsWhatFitsAndTheRestOnceTheQuotaIsRaised() throws Exception {
        // given an account with a 1 MiB quota and a synced file of 200 kB
        String user = server.newAccount();
        assertThat(setQuota(user, "1MiB").statusCode()).isEqualTo(200);
        Device laptop = Device.login(server, user, "Laptop");
        Device phone = Device.login(server, user, "Phone");
        laptop.write("keep/first.bin", bytes(200_000, 1));
        laptop.write("keep/notes.txt", "notes\n");
        laptop.syncInSync();

        // when eight files of 300 kB (2.4 MB in all) are added
        for (int i = 0; i < 8; i++) {
            laptop.write("big/file-" + i + ".bin", bytes(300_000, 10 + i));
        }
        Map<String, String> written = laptop.tree();
        int before = laptop.output().length();
        int code = laptop.syncOnce();
        String said = laptop.output().substring(before);

        // then the client says it is over quota, and is not in sync
        assertThat(code).as(said).isEqualTo(4);
        assertThat(said).contains("over quota: ").contains("of 1 MiB used").contains("not sent");
        assertThat(said).contains("not in sync yet");
        // and every file is still on the laptop as written
        assertThat(laptop.tree()).isEqualTo(written);
        // and what fits is on the server: the files synced before, and some of the new ones, intact
        phone.syncInSync();
        Map<String, String> onServer = phone.tree();
        assertThat(onServer).containsEntry("keep/first.bin", written.get("keep/first.bin"))
                .containsEntry("keep/notes.txt", written.get("keep/notes.txt"));
        long bigSynced = onServer.keySet().stream().filter(p -> p.startsWith("big/")).count();
        assertThat(bigSynced).isBetween(1L, 7L);
        onServer.forEach((path, hash) -> assertThat(hash).as(path).isEqualTo(written.get(path)));

        // and `status` shows the usage against the quota
        before = laptop.output().length();
        assertThat(laptop.run("status", laptop.folder().toString())).isZero();
        assertThat(laptop.output().substring(before)).containsPattern("storage: +[0-9.]+ [KM]iB of 1 MiB used");

        // when the admin lowers the quota below the usage, and the laptop deletes a synced file and adds a new one
        assertThat(setQuota(user, "500KiB").statusCode()).isEqualTo(200);
        Files.delete(laptop.file("keep/notes.txt"));
        laptop.write("late/new.bin", bytes(50_000, 99));
        Map<String, String> writtenLate = laptop.tree();
        before = laptop.output().length();
        code = laptop.syncOnce();
        said = laptop.output().substring(before);

        // then the new content is not taken (not even its chunks), it stays here, and the deletion still goes
        assertThat(code).as(said).isEqualTo(4);
        assertThat(said).contains("over quota: ");
        assertThat(laptop.tree()).isEqualTo(writtenLate);
        phone.syncInSync();
        assertThat(phone.tree()).doesNotContainKey("keep/notes.txt").doesNotContainKey("late/new.bin")
                .containsEntry("keep/first.bin", written.get("keep/first.bin"));

        // when the admin raises the quota
        assertThat(setQuota(user, "10MiB").statusCode()).isEqualTo(200);
        laptop.syncInSync();
        phone.syncInSync();

        // then the rest is synced, and both devices hold the same files
        assertThat(laptop.tree()).hasSize(10).containsKey("late/new.bin").doesNotContainKey("keep/notes.txt");
        assertThat(phone.tree()).isEqualTo(laptop.tree());
        for (int i = 0; i < 8; i++) {
            assertThat(phone.tree().get("big/file-" + i + ".bin")).isEqualTo(written.get("big/file-" + i + ".bin"));
        }
    }

    private static HttpResponse<String> setQuota(String username, String size) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.url().resolve("/v1/admin/accounts/" + username + "/quota"))
                .header("Authorization", "Bearer " + server.adminToken())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"quota\":\"" + size + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
