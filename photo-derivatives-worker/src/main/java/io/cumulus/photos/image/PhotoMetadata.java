package io.cumulus.photos.image;

import java.util.Objects;

/**
 * What the photo library records about an image, one field per column of {@code photos}:
 * {@code format} as {@link ImageKinds} names it ({@code jpeg}, {@code heif}, {@code raw-nef}...),
 * pixel dimensions with the EXIF orientation applied (an orientation of 5 to 8 swaps them), the
 * orientation of the original (1 to 8), GPS position in signed degrees, and the camera as its
 * EXIF says. Every field but format, taken-at and orientation is null when the file does not say.
 */
public record PhotoMetadata(String format, TakenAt takenAt, Integer width, Integer height, int orientation,
        Double latitude, Double longitude, String cameraMake, String cameraModel, String lens) {

    public PhotoMetadata {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(takenAt, "takenAt");
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("orientation must be 1 to 8, was " + orientation);
        }
    }
}
