package io.cumulus.client.sync.evict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

class PlaceholderTest {
    private static final Instant AT = Instant.parse("2026-12-05T12:00:00Z");

    private static SyncedFile synced(String path) {
        byte[] bytes = ("content of " + path).getBytes(StandardCharsets.UTF_8);
        return new SyncedFile(path, "file-" + path.hashCode(), VersionVector.of(Map.of("device-a", 3L)),
                new Manifest(List.of(ChunkRef.of(Sha256.hex(bytes), bytes.length))), bytes.length, 1_000, "ino1", 42);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPlaceholderSitsBesideItsOriginalWithADotAndTheCloudSuffix() {
        assertThat(Placeholder.pathFor("docs/report.pdf")).isEqualTo("docs/.report.pdf.cumulus-cloud");
        assertThat(Placeholder.pathFor("notes.txt")).isEqualTo(".notes.txt.cumulus-cloud");
        assertThat(Placeholder.originalOf("docs/.report.pdf.cumulus-cloud")).contains("docs/report.pdf");
        assertThat(Placeholder.originalOf(".bashrc.cumulus-cloud")).contains("bashrc");
        assertThat(Placeholder.originalOf("..hidden.cumulus-cloud")).contains(".hidden");
    }

    @Test
    void namesThatOnlyLookLikeAPlaceholdersAreOrdinaryFiles() {
        for (String name : List.of(".cumulus-cloud", "..cumulus-cloud", "report.pdf.cumulus-cloud", ".report.pdf.cumulus-cloud.txt",
                ".report.pdf.Cumulus-Cloud", "...cumulus-cloud", "....cumulus-cloud", "..cumulus.cumulus-cloud",
                "..x.cumulus-cloud.cumulus-cloud", ".report.pdf.cumulus-cloud~")) {
            assertThat(Placeholder.isPlaceholderName(name)).as(name).isFalse();
        }
        assertThat(Placeholder.isPlaceholderName(".report.pdf.cumulus-cloud")).isTrue();
    }

    @Test
    void aPlaceholderSaysWhatItStandsForAndDecodesToTheSame() throws Exception {
        // given a synced file evicted at a moment
        SyncedFile f = synced("docs/report.pdf");

        // when its placeholder is written and read back from its place
        Placeholder written = Placeholder.of(f, AT);
        byte[] bytes = written.encode();
        Placeholder read = Placeholder.decode("docs/.report.pdf.cumulus-cloud", bytes);

        // then it is the same placeholder, and a person reading it learns what it is and how to bring it back
        assertThat(read).isEqualTo(written);
        assertThat(read.fileId()).isEqualTo(f.fileId());
        assertThat(read.size()).isEqualTo(f.size());
        assertThat(read.vector()).containsEntry("device-a", 3L);
        assertThat(read.content()).isEqualTo(Placeholder.contentOf(f.manifest()));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("cumulus fetch 'docs/report.pdf'");
        assertThat(Placeholder.of(f, AT).encode()).isEqualTo(bytes); // the same state always writes the same bytes
    }

    @Test
    void aPlaceholderNamingAPathOutsideTheFolderIsRefused() {
        for (String hostile : List.of("/etc/passwd", "../outside.txt", "docs/../../outside.txt", "docs/./x", "C:\\\\x", "a//b", "docs/")) {
            byte[] bytes = json("""
                    {"cumulusPlaceholder":1,"path":"%s","fileId":"f1","size":1,"seq":1,"vector":{},"content":"c",
                     "evictedAt":"2026-12-05T12:00:00Z"}""".formatted(hostile));
            assertThatThrownBy(() -> Placeholder.decode(bytes)).as(hostile).isInstanceOf(Placeholder.Unreadable.class);
        }
    }

    @Test
    void aPlaceholderNamingAnotherPlaceThanItsOwnIsRefusedThere() throws Exception {
        // given a valid placeholder of docs/report.pdf
        byte[] bytes = Placeholder.of(synced("docs/report.pdf"), AT).encode();

        // then read from another place it is refused, yet readable as such (a rename by hand is recognised by its file id)
        assertThatThrownBy(() -> Placeholder.decode("other/.report.pdf.cumulus-cloud", bytes))
                .isInstanceOf(Placeholder.Unreadable.class).hasMessageContaining("another path");
        assertThatThrownBy(() -> Placeholder.decode("docs/.other.pdf.cumulus-cloud", bytes)).isInstanceOf(Placeholder.Unreadable.class);
        assertThat(Placeholder.decode(bytes).path()).isEqualTo("docs/report.pdf");
    }

    @Test
    void garbageIsUnreadableNeverAnException() {
        for (String garbage : List.of("", "not json", "[]", "null", "{}", "{\"cumulusPlaceholder\":2}",
                "{\"cumulusPlaceholder\":1,\"path\":\"a\"}",
                "{\"cumulusPlaceholder\":1,\"path\":\"a\",\"fileId\":\"f\",\"size\":\"big\",\"seq\":1,\"vector\":{},\"content\":\"c\",\"evictedAt\":\"2026-12-05T12:00:00Z\"}",
                "{\"cumulusPlaceholder\":1,\"path\":\"a\",\"fileId\":\"f\",\"size\":1,\"seq\":1,\"vector\":{\"d\":\"x\"},\"content\":\"c\",\"evictedAt\":\"2026-12-05T12:00:00Z\"}",
                "{\"cumulusPlaceholder\":1,\"path\":\"a\",\"fileId\":\"f\",\"size\":1,\"seq\":1,\"vector\":{},\"content\":\"c\",\"evictedAt\":\"yesterday\"}")) {
            assertThatThrownBy(() -> Placeholder.decode(".a.cumulus-cloud", json(garbage))).as(garbage)
                    .isInstanceOf(Placeholder.Unreadable.class);
        }
        assertThatThrownBy(() -> Placeholder.decode(".a.cumulus-cloud", new byte[Placeholder.MAX_BYTES + 1]))
                .isInstanceOf(Placeholder.Unreadable.class);
    }
}
