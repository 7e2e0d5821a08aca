package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.cumulus.standalone.CumulusMain;

/**
 * The audit log with a real client and a real standalone server: a deletion the client syncs is in
 * its owner's {@code cumulus audit}, {@code ./cumulus admin audit verify} finds the chain intact, and
 * after an entry is edited behind the server's back it names that entry and exits 1.
 */
class AuditLogIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    private record Run(int exit, String output) {
    }

    @Test
    void aSyncedDeletionIsInTheOwnersAuditLogAndAnEditedEntryFailsTheAdminCheck() throws Exception {
        // given a file synced and then deleted by the laptop
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        laptop.write("plans/secret.txt", "to be deleted\n");
        laptop.syncInSync();
        Files.delete(laptop.file("plans/secret.txt"));
        laptop.syncInSync();

        // when the owner reads the log
        int listed = laptop.run("audit");

        // then the deletion is there, by the laptop, with its path
        assertThat(listed).as(laptop.output()).isZero();
        assertThat(laptop.output()).contains("files-deleted").contains("Laptop").contains("path1=plans/secret.txt")
                .contains("device-registered").contains("head: entry 2, hash "); // the registration, then the deletion

        // and the operator finds the chain intact
        Run intact = adminAuditVerify(user);
        assertThat(intact.exit()).as(intact.output()).isZero();
        assertThat(intact.output()).contains(user).contains("2 entries  intact").contains("result: the chain is intact");

        // when an entry is edited behind the server's back, the check names it and exits 1
        server.execute("""
                update ingest.audit_entries set details = details || '{"path1": "plans/nothing.txt"}'::jsonb
                where account_id = (select id from ingest.accounts where username = ?) and seq = 2""", user);
        Run tampered = adminAuditVerify(user);
        assertThat(tampered.exit()).as(tampered.output()).isEqualTo(1);
        assertThat(tampered.output()).contains("TAMPERED at entry 2 (hash-mismatch)").contains("result: 1 of 1 chain tampered with");
    }

    /** {@code cumulus admin audit verify --user USER} of the standalone jar, in a process of its own. */
    private static Run adminAuditVerify(String user) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CumulusMain.class.getName(),
                "admin", "audit", "verify", "--user", user, "--data-dir=" + server.dataDir(), "--port=" + server.url().getPort()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), output);
    }
}
