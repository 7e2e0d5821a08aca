package io.cumulus.photos.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an image file into what the photo library shows of it: its {@link PhotoMetadata}, a square
 * thumbnail and a preview, or the reason it cannot. Metadata comes from the headers
 * (metadata-extractor, pure Java); pixels are decoded by libvips' command-line tools, one process
 * per derivative, because libvips shrinks JPEGs while it decodes them and it was the fastest
 * decoder measured (docs/decisions/0022-photo-derivatives-with-libvips-tools.md).
 *
 * <h2>Hostile input</h2>
 * Every file is suspect: the format is recognised by content; the pixel count is read from the
 * header and checked against {@link DeriverSettings#maxPixels()} before anything is decoded; libvips
 * runs with its untrusted loaders blocked, a deadline, an address-space and file-size cap, and
 * fails on truncated data rather than padding it grey. What fails is {@link Derived.Unreadable}.
 *
 * <h2>Determinism</h2>
 * The same file gives the same bytes (the worker stores derivatives by content address): libvips'
 * JPEG encoder is deterministic, and the derivatives carry no metadata (no timestamps).
 *
 * <p>Thread-safe: the worker derives as many photos at once as it has cores, each in its own
 * temporary directory, each libvips process on one thread ({@link DeriverSettings#vipsConcurrency()}).
 *
 * <p>What is not the file's fault is thrown, not answered Unreadable: an I/O error reading the
 * original or writing the temporary directory ({@link UncheckedIOException}), a tool that is not
 * installed ({@link IllegalStateException}, see {@link #missingTools()}).
 */
public final class PhotoDeriver {
    private static final Pattern HEADER_SIZE = Pattern.compile(": (\\d+)x(\\d+) ");
    private static final Set<String> HEADER_SIZE_FORMATS = Set.of("jpeg", "png", "gif", "webp");

    private final DeriverSettings settings;
    private final Subprocess.Limits limits;
    private final Map<String, String> environment;

    public PhotoDeriver(DeriverSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.limits = new Subprocess.Limits(settings.timeout(), settings.maxAddressSpaceBytes(),
                settings.maxOutputBytes(), settings.prlimit());
        this.environment = Map.of(
                "VIPS_CONCURRENCY", Integer.toString(settings.vipsConcurrency()),
                // Loaders libvips itself marks unfit for untrusted input (ImageMagick, MATLAB, FITS...).
                "VIPS_BLOCK_UNTRUSTED", "1",
                // Two malloc arenas instead of one per thread: a smaller resident set, same speed.
                "MALLOC_ARENA_MAX", "2");
    }

    /** The settings for the tools on {@code PATH}, {@code prlimit} when installed, and the defaults above. */
    public static DeriverSettings defaults() {
        return new DeriverSettings("vipsheader", "vips",
                ToolCheck.onPath("prlimit").map(Path::toString).orElse(null),
                200_000_000L, Duration.ofSeconds(60), 4L << 30, 256L << 20, 1,
                256, 1600, 80, 82, false, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Empty when every tool is installed; else what is missing and which Debian packages bring it. */
    public Optional<String> missingTools() {
        return ToolCheck.missing(settings);
    }

    /**
     * The metadata and derivatives of {@code original}, or why there are none; {@code fileTime}
     * dates a photo whose metadata does not say when it was taken.
     */
    public Derived derive(Path original, Instant fileTime) {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(fileTime, "fileTime");
        byte[] head = readHead(original);
        if (head.length == 0) {
            return new Derived.Unreadable(null, "empty file");
        }
        Optional<String> recognised = ImageKinds.recognise(head);
        if (recognised.isEmpty()) {
            return new Derived.Unreadable(null, "not an image: its content matches no known image format");
        }
        ExifFacts facts = ExifFacts.read(original);
        String format = recognised.get().equals("tiff")
                ? ImageKinds.refineTiff(facts.make(), facts.dngVersion(), facts.rawLayout())
                : recognised.get();
        try (Workspace workspace = Workspace.create(settings.tempRoot())) {
            return derive(original, format, facts, fileTime, workspace);
        } catch (IOException e) {
            throw new UncheckedIOException("deriving " + original, e);
        }
    }

    private Derived derive(Path original, String format, ExifFacts facts, Instant fileTime, Workspace workspace)
            throws IOException {
        Path source;
        if (ImageKinds.isRaw(format)) {
            Optional<Path> preview = EmbeddedPreview.extract(original, format, facts, workspace.file("embedded.jpg"),
                    settings.maxOutputBytes());
            if (preview.isEmpty()) {
                return new Derived.Unreadable(format, "raw file without an embedded preview");
            }
            source = preview.get();
        } else {
            source = workspace.safeName(original);
        }

        // The size from the header metadata-extractor has already parsed where it is one libvips reads the same way
        // (saving a process per photo); vipsheader's for the rest: TIFF, HEIF, a RAW's preview.
        ExifFacts.PixelSize headerSize = facts.headerSize();
        if (headerSize == null || !HEADER_SIZE_FORMATS.contains(format)) {
            Subprocess.Result header = run(workspace, List.of(settings.vipsheader(), source.toString()));
            if (!header.succeeded()) {
                return new Derived.Unreadable(format, failure("cannot read its header", header));
            }
            Matcher size = HEADER_SIZE.matcher(header.output());
            if (!size.find()) {
                return new Derived.Unreadable(format, "libvips cannot read its header: " + header.firstLine());
            }
            headerSize = new ExifFacts.PixelSize(Long.parseLong(size.group(1)), Long.parseLong(size.group(2)));
        }
        long width = headerSize.width();
        long height = headerSize.height();
        if (width * height > settings.maxPixels()) {
            return new Derived.Unreadable(format, "image is %d x %d pixels (%d megapixels), above the limit of %d megapixels"
                    .formatted(width, height, width * height / 1_000_000, settings.maxPixels() / 1_000_000));
        }

        Path preview = workspace.file("preview.jpg");
        Subprocess.Result previewRun = run(workspace, isPlainJpeg(format, facts)
                ? jpegPreview(source, preview, Math.max(width, height))
                : anyPreview(source, preview, format, facts));
        if (!previewRun.succeeded() || !Files.isRegularFile(preview)) {
            return new Derived.Unreadable(format, failure("cannot decode it", previewRun));
        }
        // The thumbnail from the preview: a 1600-pixel JPEG decodes in a few milliseconds, the original does not.
        byte[] thumbnail;
        try {
            thumbnail = settings.attentionCrop()
                    ? attentionThumbnail(workspace, preview)
                    : CentreThumbnail.of(preview, settings.thumbnailSize(), settings.thumbnailQuality());
        } catch (javax.imageio.IIOException | RuntimeException e) {
            // A preview the JPEG reader refuses (an unusual colour layout the photo led libvips to write) is the
            // photo's trouble, not the worker's: recorded, never retried for ever.
            return new Derived.Unreadable(format, "its thumbnail cannot be cut from its preview: " + e.getMessage());
        }
        if (thumbnail == null) {
            return new Derived.Unreadable(format, "libvips cannot make its thumbnail");
        }

        // libheif applies a HEIF's rotation while decoding, so its header's size is already upright.
        boolean swap = facts.orientation() >= 5 && !format.equals("heif") && !format.equals("avif");
        PhotoMetadata metadata = new PhotoMetadata(format, facts.takenAt().resolve(fileTime),
                (int) (swap ? height : width), (int) (swap ? width : height), facts.orientation(),
                facts.latitude(), facts.longitude(), facts.make(), facts.model(), facts.lens());
        return new Derived.Ready(metadata, thumbnail, Files.readAllBytes(preview));
    }

    /**
     * A JPEG in YCbCr or grey with no profile, the common case: libjpeg decodes it at 1/2, 1/4 or 1/8
     * of its size (the largest that is still at least the preview), turns it upright, and one lanczos3
     * resize gives the preview, all in one {@code vips resize}. It is the work {@code vips thumbnail}
     * does, at about 70 % of its CPU (bench/photos): the thumbnail operation opens the file twice and
     * runs a pipeline built for every format.
     */
    private List<String> jpegPreview(Path source, Path preview, long longSide) {
        int shrink = 1;
        while (shrink < 8 && longSide / (shrink * 2) >= settings.previewSize()) {
            shrink *= 2;
        }
        long decoded = (longSide + shrink - 1) / shrink; // libjpeg rounds a scaled size up
        double scale = Math.min(1.0, settings.previewSize() / (double) decoded);
        return List.of(settings.vips(), "resize",
                // fail_on=truncated: a cut-off file is refused, not shown with a grey lower half.
                source + "[shrink=" + shrink + ",autorotate=true,fail_on=truncated]",
                preview + "[Q=" + settings.previewQuality() + ",strip]",
                Double.toString(scale));
    }

    /** Any other image: libvips' thumbnail operation, which knows every loader's shrink-on-load and profiles. */
    private List<String> anyPreview(Path source, Path preview, String format, ExifFacts facts) {
        List<String> command = new ArrayList<>(List.of(settings.vips(), "thumbnail",
                source.toString(), preview + "[Q=" + settings.previewQuality() + ",strip]",
                Integer.toString(settings.previewSize()), "--height=" + settings.previewSize(), "--size=down",
                "--fail-on=truncated"));
        // Without a profile the pixels are sRGB already (what browsers assume of an untagged image), and the
        // transform would cost a fifth of the preview's time for nothing. HEIF may say its colours in an nclx
        // box, which metadata-extractor does not report as a profile.
        if (facts.iccProfile() || format.equals("heif") || format.equals("avif") || ImageKinds.isRaw(format)) {
            command.add("--export-profile=srgb");
        }
        return command;
    }

    private static boolean isPlainJpeg(String format, ExifFacts facts) {
        return format.equals("jpeg") && !facts.iccProfile() && facts.jpegComponents() != null
                && (facts.jpegComponents() == 3 || facts.jpegComponents() == 1);
    }

    /** libvips' attention crop (the busiest, most colourful region), in a process of its own; null if it fails. */
    private byte[] attentionThumbnail(Workspace workspace, Path preview) throws IOException {
        Path thumbnail = workspace.file("thumbnail.jpg");
        Subprocess.Result run = run(workspace, List.of(settings.vips(), "thumbnail",
                preview.toString(), thumbnail + "[Q=" + settings.thumbnailQuality() + ",strip]",
                Integer.toString(settings.thumbnailSize()), "--height=" + settings.thumbnailSize(), "--crop=attention"));
        return run.succeeded() && Files.isRegularFile(thumbnail) ? Files.readAllBytes(thumbnail) : null;
    }

    private Subprocess.Result run(Workspace workspace, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(command);
        full.add(1, "--vips-concurrency=" + settings.vipsConcurrency());
        try {
            // TMPDIR: libvips' own temporary files land in the workspace and go with it.
            Map<String, String> env = new HashMap<>(environment);
            env.put("TMPDIR", workspace.directory().toString());
            VipsHome.forVips(settings.vips(), settings.tempRoot()).ifPresent(home -> env.put("VIPSHOME", home.toString()));
            return Subprocess.run(full, env, limits, workspace.file("tool.log"));
        } catch (IOException e) {
            if (ToolCheck.missing(settings).isPresent()) {
                throw new IllegalStateException(ToolCheck.missing(settings).get(), e);
            }
            throw e;
        }
    }

    private String failure(String what, Subprocess.Result result) {
        if (result.timedOut()) {
            return "libvips " + what + " within " + settings.timeout().toSeconds() + " s";
        }
        String detail = result.firstLine();
        return "libvips " + what + (detail.isEmpty() ? " (exit " + result.exitCode() + ")" : ": " + detail);
    }

    private static byte[] readHead(Path original) {
        try (InputStream in = Files.newInputStream(original)) {
            return in.readNBytes(ImageKinds.HEAD_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + original, e);
        }
    }

    /** A private temporary directory for one derivation, deleted with everything in it. */
    record Workspace(Path directory) implements AutoCloseable {
        static Workspace create(Path root) throws IOException {
            Path directory = Files.createTempDirectory(root, "cumulus-photo-");
            File file = directory.toFile();
            // Owner only, whatever the umask: the originals of other people's photos pass through it.
            file.setReadable(false, false);
            file.setWritable(false, false);
            file.setExecutable(false, false);
            file.setReadable(true, true);
            file.setWritable(true, true);
            file.setExecutable(true, true);
            return new Workspace(directory);
        }

        Path file(String name) {
            return directory.resolve(name);
        }

        /**
         * A name for the original that libvips reads as a plain path: the original's own when it is
         * one, else a link to it in the workspace (a name with {@code [} would be read as load
         * options, and one with odd bytes may not survive the trip through a C string).
         */
        Path safeName(Path original) throws IOException {
            Path absolute = original.toAbsolutePath().normalize();
            if (DeriverSettings.SAFE_PATH.matcher(absolute.toString()).matches()) {
                return absolute;
            }
            Path link = file("original");
            try {
                Files.createSymbolicLink(link, absolute);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(absolute, link);
            }
            return link;
        }

        @Override
        public void close() throws IOException {
            try (var files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }
}
