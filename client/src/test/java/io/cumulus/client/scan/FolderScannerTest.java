package io.cumulus.client.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderScannerTest {
    @TempDir
    Path root;

    private void write(String path, String content) throws IOException {
        Files.createDirectories(root.resolve(path).getParent());
        Files.writeString(root.resolve(path), content);
    }

    @Test
    void listsRegularFilesWithSlashSeparatedPathsAndSkipsTheStateDirAndTempFiles() throws IOException {
        // given files, the client's state dir and one of its temporary files
        write("a.txt", "a");
        write("deep/er/still/b.txt", "b");
        write("empty.txt", "");
        write(".cumulus/state.db", "state");
        write("deep/" + FolderScanner.TEMP_PREFIX + "123", "partial download");

        // when the folder is scanned
        FolderScanner.Scan scan = FolderScanner.scan(root);

        // then only the user's files are listed, with their sizes
        assertThat(scan.files()).containsOnlyKeys("a.txt", "deep/er/still/b.txt", "empty.txt");
        assertThat(scan.files().get("empty.txt").size()).isZero();
        assertThat(scan.skipped()).isEmpty();
    }

    @Test
    void symbolicLinksAreNotFollowedButReported() throws IOException {
        // given a link to a file and a link to a directory outside the folder
        write("real.txt", "real");
        Path outside = Files.createTempDirectory("outside");
        Files.writeString(outside.resolve("secret.txt"), "not to be synced");
        Files.createSymbolicLink(root.resolve("link.txt"), root.resolve("real.txt"));
        Files.createSymbolicLink(root.resolve("linked-dir"), outside);

        // when the folder is scanned
        FolderScanner.Scan scan = FolderScanner.scan(root);

        // then neither link is listed, both are reported, and nothing behind them is read
        assertThat(scan.files()).containsOnlyKeys("real.txt");
        assertThat(scan.skipped()).extracting(FolderScanner.Skipped::path).containsExactlyInAnyOrder("link.txt", "linked-dir");
        assertThat(scan.skipped()).allMatch(s -> s.reason().contains("symbolic link"));
    }

    @Test
    void theIgnoreFileExcludesWhatItNames() throws IOException {
        // given a .cumulusignore with a pattern, a directory and a re-inclusion
        write(".cumulusignore", "*.tmp\nbuild/\n!keep.tmp\n");
        write("notes.txt", "n");
        write("scratch.tmp", "s");
        write("keep.tmp", "k");
        write("build/out.bin", "o");
        write("src/build/x.txt", "x");

        // when the folder is scanned
        FolderScanner.Scan scan = FolderScanner.scan(root);

        // then the ignored paths are left out, and the ignore file itself is synced
        assertThat(scan.files()).containsOnlyKeys(".cumulusignore", "notes.txt", "keep.tmp");
    }

    @Test
    void placeholdersOfEvictedFilesAreListedApartAndLookAlikesAreOrdinaryFiles() throws IOException {
        // given a placeholder, and files whose names only look like one
        write("docs/.report.pdf.cumulus-cloud", "{}");
        write("docs/.report.pdf.cumulus-cloud.bak", "a copy");
        write("docs/report.pdf.cumulus-cloud", "no leading dot");
        write("..cumulus-cloud", "no name");

        // when the folder is scanned
        FolderScanner.Scan scan = FolderScanner.scan(root);

        // then the placeholder is never a file to send, and the look-alikes are
        assertThat(scan.placeholders()).containsExactly("docs/.report.pdf.cumulus-cloud");
        assertThat(scan.files()).containsOnlyKeys("docs/.report.pdf.cumulus-cloud.bak", "docs/report.pdf.cumulus-cloud", "..cumulus-cloud");
        assertThat(scan.emptyFolders()).isEmpty();
    }
}
