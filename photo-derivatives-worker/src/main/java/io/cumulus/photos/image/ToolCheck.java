package io.cumulus.photos.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether the image tools {@link PhotoDeriver} runs are installed, and if not, what to install:
 * libvips' command-line tools ({@code libvips-tools} on Debian and Ubuntu) and, for HEIC and AVIF,
 * a libvips with its HEIF loader (libheif and its decoders).
 */
final class ToolCheck {
    static final String INSTALL_HINT = "install libvips' command-line tools: apt-get install libvips-tools "
            + "(Fedora: dnf install vips-tools; macOS: brew install vips)";
    static final String HEIF_HINT = "libvips here cannot read HEIC/AVIF (no heifload): install libheif "
            + "(Debian 12: apt-get install libheif1; Debian 13: apt-get install libheif-plugin-libde265 "
            + "libheif-plugin-dav1d)";

    private static final Map<String, Boolean> HEIF_SUPPORT = new ConcurrentHashMap<>();

    static Optional<String> missing(DeriverSettings settings) {
        List<String> absent = new ArrayList<>();
        for (String tool : List.of(settings.vipsheader(), settings.vips())) {
            if (resolve(tool).isEmpty()) {
                absent.add(tool);
            }
        }
        if (!absent.isEmpty()) {
            return Optional.of("photo derivatives need " + String.join(", ", absent) + ", not found; " + INSTALL_HINT);
        }
        if (!HEIF_SUPPORT.computeIfAbsent(settings.vips(), ToolCheck::hasHeifLoad)) {
            return Optional.of(HEIF_HINT);
        }
        return Optional.empty();
    }

    /** An executable by absolute path, or by name on {@code PATH}. */
    static Optional<Path> resolve(String tool) {
        if (tool.contains(File.separator)) {
            Path path = Path.of(tool);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        return onPath(tool);
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean hasHeifLoad(String vips) {
        try {
            Process process = new ProcessBuilder(vips, "-l", "heifload")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ToolCheck() {
    }
}
