package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class CumulusMainTest {

    @Test
    void everyCommandAndSubcommandAnswersHelpWithItsOwnUsage() {
        assertThat(CumulusMain.helpFor(List.of("--help"))).get().asString().contains("cumulus account create");
        assertThat(CumulusMain.helpFor(List.of("-h"))).get().asString().contains("cumulus admin fsck");
        assertThat(CumulusMain.helpFor(List.of("help"))).get().asString().contains("cumulus [serve]");
        assertThat(CumulusMain.helpFor(List.of("serve", "--help"))).get().asString().contains("--bind-address");
        assertThat(CumulusMain.helpFor(List.of("--port=9000", "--help"))).get().asString().contains("cumulus account create");
        assertThat(CumulusMain.helpFor(List.of("account", "--help"))).get().asString().contains("account create NAME");
        assertThat(CumulusMain.helpFor(List.of("account", "create", "--help"))).get().asString().contains("account create NAME");
        assertThat(CumulusMain.helpFor(List.of("admin", "--help"))).get().asString().contains("admin fsck [--repair]");
        assertThat(CumulusMain.helpFor(List.of("admin", "fsck", "-h"))).get().asString().contains("admin fsck [--repair]");
        assertThat(CumulusMain.helpFor(List.of("-h"))).get().asString().contains("cumulus admin audit verify [--user NAME]");
        assertThat(CumulusMain.helpFor(List.of("admin", "audit", "verify", "--help"))).get().asString()
                .contains("admin audit verify [--user NAME]").contains("exit 0 intact, 1 tampered");
    }

    @Test
    void aCommandLineWithoutHelpIsRunNotExplained() {
        assertThat(CumulusMain.helpFor(List.of())).isEmpty();
        assertThat(CumulusMain.helpFor(List.of("serve", "--port=9000"))).isEmpty();
        assertThat(CumulusMain.helpFor(List.of("account", "create", "alice", "--password=help"))).isEmpty();
    }
}
