package io.cumulus.client.sync.evict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class StorageLimitTest {

    @Test
    void sizesWithoutBCountInPowersOf1024LikeDuAndLs() {
        assertThat(StorageLimit.parse("500M")).contains(new StorageLimit(500L * 1024 * 1024));
        assertThat(StorageLimit.parse("2G")).contains(new StorageLimit(2L * 1024 * 1024 * 1024));
        assertThat(StorageLimit.parse("1.5GiB")).contains(new StorageLimit(1024L * 1024 * 1024 * 3 / 2));
        assertThat(StorageLimit.parse("64k")).contains(new StorageLimit(64 * 1024));
        assertThat(StorageLimit.parse("1T")).contains(new StorageLimit(1L << 40));
    }

    @Test
    void sizesWithKbMbGbCountInPowersOf1000() {
        assertThat(StorageLimit.parse("800MB")).contains(new StorageLimit(800_000_000L));
        assertThat(StorageLimit.parse("1.5 GB")).contains(new StorageLimit(1_500_000_000L));
    }

    @Test
    void aBareNumberOrBIsBytes() {
        assertThat(StorageLimit.parse("12345")).contains(new StorageLimit(12345));
        assertThat(StorageLimit.parse("0")).contains(new StorageLimit(0));
        assertThat(StorageLimit.parse("10B")).contains(new StorageLimit(10));
    }

    @Test
    void offMeansNoLimit() {
        assertThat(StorageLimit.parse("off")).isEqualTo(Optional.empty());
        assertThat(StorageLimit.parse(" OFF ")).isEqualTo(Optional.empty());
    }

    @Test
    void anythingElseIsRefusedWithAMessageThatShowsTheForm() {
        for (String bad : new String[]{"", "big", "-5M", "5X", "M", "1.G", "5 M B", "1e9", "5iB", "99999999999T"}) {
            assertThatThrownBy(() -> StorageLimit.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> StorageLimit.parse("lots")).hasMessageContaining("500M, 2G, 1.5GiB");
    }

    @Test
    void aLimitReadsInTheLargestBinaryUnit() {
        assertThat(StorageLimit.human(512 * 1024)).isEqualTo("512 KiB");
        assertThat(StorageLimit.human(1024L * 1024 * 1024 * 3 / 2)).isEqualTo("1.5 GiB");
        assertThat(StorageLimit.human(10)).isEqualTo("10 B");
    }
}
