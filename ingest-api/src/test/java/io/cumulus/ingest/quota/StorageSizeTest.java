package io.cumulus.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StorageSizeTest {

    @Test
    void binaryUnitsCountIn1024s() {
        assertThat(StorageSize.parse("5GiB")).isEqualTo(5L * 1024 * 1024 * 1024);
        assertThat(StorageSize.parse("500MiB")).isEqualTo(500L * 1024 * 1024);
        assertThat(StorageSize.parse("1.5G")).isEqualTo(1536L * 1024 * 1024);
        assertThat(StorageSize.parse("64k")).isEqualTo(64L * 1024);
        assertThat(StorageSize.parse(" 2 TiB ")).isEqualTo(2L << 40);
    }

    @Test
    void decimalUnitsCountIn1000s() {
        assertThat(StorageSize.parse("800MB")).isEqualTo(800_000_000L);
        assertThat(StorageSize.parse("1GB")).isEqualTo(1_000_000_000L);
    }

    @Test
    void aBareNumberIsBytes() {
        assertThat(StorageSize.parse("1048576")).isEqualTo(1_048_576L);
        assertThat(StorageSize.parse("12B")).isEqualTo(12L);
        assertThat(StorageSize.parse("0")).isZero();
    }

    @Test
    void whatIsNotASizeIsRefusedSayingHowToWriteOne() {
        for (String bad : new String[] {"", "lots", "-5GiB", "5XB", "GiB", "1.5", "0.3B", "99999999999TiB"}) {
            assertThatThrownBy(() -> StorageSize.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> StorageSize.parse("lots")).hasMessageContaining("5GiB");
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertThat(StorageSize.human(512)).isEqualTo("512 B");
        assertThat(StorageSize.human(700L * 1024)).isEqualTo("700 KiB");
        assertThat(StorageSize.human(5L << 30)).isEqualTo("5 GiB");
        assertThat(StorageSize.human((long) (4.9 * (1L << 30)))).isEqualTo("4.9 GiB");
    }
}
