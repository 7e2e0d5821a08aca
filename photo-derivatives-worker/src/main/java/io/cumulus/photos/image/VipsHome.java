package io.cumulus.photos.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A libvips home ({@code VIPSHOME}) whose module directory holds the HEIF module alone. At start
 * libvips loads every module it finds, and Debian's set includes ImageMagick's, poppler's and
 * OpenSlide's, each with its libraries: about 23 ms of CPU per process (bench/photos), for
 * loaders the worker never uses (and blocks anyway, {@code VIPS_BLOCK_UNTRUSTED}). Where libvips
 * looks below its home depends on how it was built, so the link is laid at every place a build
 * puts it, and the home is used only once {@code vips -l heifload} has found the module through it;
 * otherwise libvips runs with its own home and all its modules.
 */
final class VipsHome {
    private static final List<Path> MODULE_ROOTS = List.of(Path.of("/usr/lib"), Path.of("/usr/lib64"),
            Path.of("/usr/local/lib"), Path.of("/usr/local/lib64"));
    private static final Map<String, Optional<Path>> HOMES = new ConcurrentHashMap<>();

    /**
     * The home for {@code vips} below {@code tempRoot}, made once per JVM, and again when it is gone (a
     * cleaner of temporary files on a long-running host); empty where none works.
     */
    static Optional<Path> forVips(String vips, Path tempRoot) {
        String key = vips + "\0" + tempRoot;
        Optional<Path> home = HOMES.computeIfAbsent(key, k -> create(vips, tempRoot));
        if (home.isPresent() && !Files.isDirectory(home.get())) {
            HOMES.remove(key, home);
            return HOMES.computeIfAbsent(key, k -> create(vips, tempRoot));
        }
        return home;
    }

    private static Optional<Path> create(String vips, Path tempRoot) {
        Optional<Path> module = heifModule();
        if (module.isEmpty()) {
            return Optional.empty(); // a libvips without modules (or without HEIF): its own home is as light
        }
        try {
            Path home = Files.createTempDirectory(tempRoot, "cumulus-vips-home-");
            String moduleDirectory = module.get().getParent().getFileName().toString(); // vips-modules-8.14
            Path libDirectory = module.get().getParent().getParent(); // /usr/lib/x86_64-linux-gnu
            for (String relative : List.of("lib", "lib64", "lib/" + libDirectory.getFileName(),
                    libDirectory.getFileName().toString())) {
                Path directory = home.resolve(relative).resolve(moduleDirectory);
                Files.createDirectories(directory);
                Files.createSymbolicLink(directory.resolve(module.get().getFileName()), module.get());
            }
            deleteOnExit(home);
            if (finds(vips, home)) {
                return Optional.of(home);
            }
            delete(home);
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // libvips keeps its own home: slower to start, same results
        }
    }

    private static Optional<Path> heifModule() {
        for (Path root : MODULE_ROOTS) {
            List<Path> candidates = new ArrayList<>(List.of(root));
            try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
                children.forEach(candidates::add);
            } catch (IOException e) {
                continue;
            }
            for (Path directory : candidates) {
                try (DirectoryStream<Path> modules = Files.newDirectoryStream(directory, "vips-modules-*")) {
                    for (Path modulesDirectory : modules) {
                        Path heif = modulesDirectory.resolve("vips-heif.so");
                        if (Files.isRegularFile(heif)) {
                            return Optional.of(heif);
                        }
                    }
                } catch (IOException e) {
                    // not a directory, or unreadable: not where libvips' modules are
                }
            }
        }
        return Optional.empty();
    }

    private static boolean finds(String vips, Path home) {
        try {
            ProcessBuilder builder = new ProcessBuilder(vips, "-l", "heifload")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("VIPSHOME", home.toString());
            Process process = builder.start();
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

    /** Directories first, so that the JVM, which deletes in reverse order, removes the links before them. */
    private static void deleteOnExit(Path home) throws IOException {
        try (var paths = Files.walk(home)) {
            paths.map(Path::toFile).forEach(File::deleteOnExit);
        }
    }

    private static void delete(Path home) throws IOException {
        try (var paths = Files.walk(home)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private VipsHome() {
    }
}
