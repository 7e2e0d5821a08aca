package io.cumulus.photos.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libvips' private home under the temporary directory outlives a cleaner that removes it. */
class VipsHomeTest {
    @TempDir
    Path temp;

    @Test
    void aHomeRemovedByACleanerIsMadeAgain() throws IOException {
        Optional<Path> first = VipsHome.forVips("vips", temp);
        assumeTrue(first.isPresent(), "libvips here has no separate HEIF module to give a home of its own");

        try (Stream<Path> all = Files.walk(first.get())) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Optional<Path> second = VipsHome.forVips("vips", temp);

        assertThat(second).isPresent();
        assertThat(second.get()).isDirectory();
    }
}
