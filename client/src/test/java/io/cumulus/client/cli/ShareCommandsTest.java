package io.cumulus.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.client.api.ApiException;

class ShareCommandsTest {
    private static ApiException answer(int status, String type) {
        return new ApiException(status, type, "POST /v1/shares/s1/accept failed (" + status + " " + type + ")", Optional.empty(), null);
    }

    @Test
    void aShareThatIsNotOursIsNamedAsNotFoundNotAsForbidden() {
        assertThat(ShareCommands.refused(answer(404, "/problems/share-not-found"), "s1").getMessage())
                .startsWith("no share s1 that you are a member of");
    }

    @Test
    void aCallOnlyTheOwnerMayMakeSaysSo() {
        assertThat(ShareCommands.refused(answer(403, "/problems/not-share-owner"), "s1").getMessage())
                .startsWith("only the owner of share s1 can do that");
    }

    @Test
    void aTakenMountPathSaysTheFolderIsTaken() {
        assertThat(ShareCommands.refused(answer(409, "/problems/mount-path-taken"), "s1").getMessage())
                .startsWith("that folder is taken");
    }

    @Test
    void anythingElseIsReportedAsTheServerSaidIt() {
        ApiException busy = answer(503, "/problems/pipeline-busy");
        assertThat(ShareCommands.refused(busy, "s1")).isSameAs(busy);
    }
}
