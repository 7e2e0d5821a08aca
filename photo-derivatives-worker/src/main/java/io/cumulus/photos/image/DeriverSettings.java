package io.cumulus.photos.image;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link PhotoDeriver} runs libvips and what it refuses. The tools ({@code vipsheader},
 * {@code vips}) are names looked up on {@code PATH} or absolute paths; {@code prlimit} is optional (null: no address-space or file-size
 * cap). {@code maxPixels} is checked on the header before anything is decoded, so a decompression
 * bomb costs a header read; 200 megapixels lets a 100-megapixel camera's photos through.
 * {@code vipsConcurrency} is the worker threads of one libvips process: 1 is the best throughput
 * when the caller derives as many photos at once as it has cores (bench/photos measures it).
 * {@code attentionCrop} cuts the thumbnail around the busiest region (libvips, one more process:
 * about 60 ms more CPU per photo) instead of the middle (Java, from the preview).
 */
public record DeriverSettings(
        String vipsheader,
        String vips,
        String prlimit,
        long maxPixels,
        Duration timeout,
        long maxAddressSpaceBytes,
        long maxOutputBytes,
        int vipsConcurrency,
        int thumbnailSize,
        int previewSize,
        int thumbnailQuality,
        int previewQuality,
        boolean attentionCrop,
        Path tempRoot) {

    /** libvips reads {@code name[options]} as a file with load options: our own paths must not look like that. */
    static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9/._+-]+");

    public DeriverSettings {
        Objects.requireNonNull(vipsheader, "vipsheader");
        Objects.requireNonNull(vips, "vips");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(tempRoot, "tempRoot");
        if (maxPixels <= 0 || thumbnailSize <= 0 || previewSize < thumbnailSize || vipsConcurrency <= 0) {
            throw new IllegalArgumentException("maxPixels, thumbnailSize, vipsConcurrency must be positive and "
                    + "previewSize at least thumbnailSize");
        }
        if (thumbnailQuality < 1 || thumbnailQuality > 100 || previewQuality < 1 || previewQuality > 100) {
            throw new IllegalArgumentException("JPEG qualities are 1 to 100");
        }
        if (!SAFE_PATH.matcher(tempRoot.toAbsolutePath().toString()).matches()) {
            throw new IllegalArgumentException("tempRoot must be a plain path (letters, digits, / . _ + -): " + tempRoot);
        }
    }

    public DeriverSettings withMaxPixels(long maxPixels) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withTimeout(Duration timeout) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withVipsConcurrency(int vipsConcurrency) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withTools(String vipsheader, String vips) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withMaxOutputBytes(long maxOutputBytes) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withTempRoot(Path tempRoot) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }

    public DeriverSettings withAttentionCrop(boolean attentionCrop) {
        return new DeriverSettings(vipsheader, vips, prlimit, maxPixels, timeout, maxAddressSpaceBytes,
                maxOutputBytes, vipsConcurrency, thumbnailSize, previewSize, thumbnailQuality, previewQuality,
                attentionCrop, tempRoot);
    }
}
