package io.cumulus.photos.image;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * libvips for the tests: a test that needs it is skipped, with the reason printed, where it is not
 * installed, and fails in CI ({@code CI=true}), where a skipped photo test would hide a broken setup.
 */
final class Vips {

    static void require() {
        Optional<String> missing = new PhotoDeriver(PhotoDeriver.defaults()).missingTools();
        if (missing.isPresent() && "true".equals(System.getenv("CI"))) {
            fail("CI must have libvips' tools: " + missing.get());
        }
        if (missing.isPresent()) {
            System.out.println("skipped: " + missing.get());
        }
        assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse(""));
    }

    /** Runs {@code vips ARGS}, e.g. {@code copy in.jpg out.webp}; true when it succeeded. */
    static boolean run(String... args) {
        List<String> command = new ArrayList<>(List.of("vips"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Path convert(Path from, Path to) {
        if (!run("copy", from.toString(), to.toString())) {
            throw new IllegalStateException("vips copy " + from + " " + to + " failed");
        }
        return to;
    }

    private Vips() {
    }
}
