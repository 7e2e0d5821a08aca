package io.cumulus.photos.image;

/**
 * What {@link PhotoDeriver#derive} made of a file: a {@link Ready} photo with its metadata and its
 * two derivatives (JPEG bytes, metadata stripped), or an {@link Unreadable} one with the reason,
 * which the photo library shows instead of a thumbnail.
 */
public sealed interface Derived {

    /** A photo with its square thumbnail and its preview, both sRGB JPEGs with no EXIF left. */
    record Ready(PhotoMetadata metadata, byte[] thumbnail, byte[] preview) implements Derived {
    }

    /** An image that could not be read; {@code format} is null when it was not even recognised. */
    record Unreadable(String format, String reason) implements Derived {
    }
}
