package io.cumulus.sync.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ConflictPolicyTest {
    private final ConflictPolicy policy = ConflictPolicy.defaults();

    @Test
    void textIsMergedOfficeDocumentsGoToTheLastWriterAndPhotosAreKeptBoth() {
        assertThat(policy.forPath("notes/plan.md")).isEqualTo(Resolution.MERGE);
        assertThat(policy.forPath("Budget 2026.XLSX")).isEqualTo(Resolution.LAST_WRITER_WINS);
        assertThat(policy.forPath("DCIM/IMG_0001.HEIC")).isEqualTo(Resolution.KEEP_BOTH);
    }

    @Test
    void aFileWithoutAKnownExtensionIsMergedOnlyIfItsContentIsText() {
        assertThat(policy.forPath("Makefile")).isEqualTo(Resolution.MERGE);
        assertThat(policy.forPath(".bashrc")).isEqualTo(Resolution.MERGE);
        assertThat(policy.isMergeableText("all:\n\tmake\n".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(policy.isMergeableText(new byte[] {'a', 0, 'b'})).isFalse();
        assertThat(policy.isMergeableText(new byte[] {(byte) 0xC3, (byte) 0x28})).isFalse();
    }

    @Test
    void textOverTheLimitIsNotMerged() {
        ConflictPolicy small = policy.withTextLimit(4);
        assertThat(small.isMergeableText("abcd".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(small.isMergeableText("abcde".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void rulesAreOverriddenByConfiguration() {
        ConflictPolicy custom = ConflictPolicy.parse(" .LOG=keep-both, md=last-writer-wins ");
        assertThat(custom.forPath("server.log")).isEqualTo(Resolution.KEEP_BOTH);
        assertThat(custom.forPath("README.md")).isEqualTo(Resolution.LAST_WRITER_WINS);
        assertThat(custom.forPath("a.txt")).isEqualTo(Resolution.MERGE);
        assertThat(ConflictPolicy.parse("").forPath("a.docx")).isEqualTo(Resolution.LAST_WRITER_WINS);
    }

    @Test
    void aMalformedRuleIsRefusedWithItsText() {
        assertThatThrownBy(() -> ConflictPolicy.parse("md"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'md'");
        assertThatThrownBy(() -> ConflictPolicy.parse("md=squash"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keep-both");
    }
}
