package io.cumulus.photos.image;

import java.io.IOException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifImageDirectory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.ExifThumbnailDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.gif.GifHeaderDirectory;
import com.drew.metadata.icc.IccDirectory;
import com.drew.metadata.jpeg.JpegDirectory;
import com.drew.metadata.png.PngDirectory;
import com.drew.metadata.webp.WebpDirectory;

/**
 * What the headers of an image say, read by metadata-extractor (pure Java, headers only: nothing
 * is decoded): the camera, the orientation, the position, the taken-at evidence, the pixel size
 * and whether there is a colour profile, and for a TIFF the marks of a RAW file and where its
 * embedded JPEGs are.
 */
record ExifFacts(String make, String model, String lens, int orientation, Double latitude, Double longitude,
        TakenAtEvidence takenAt, boolean dngVersion, boolean rawLayout, List<EmbeddedJpeg> embeddedJpegs,
        PixelSize headerSize, boolean iccProfile, Integer jpegComponents) {

    static final ExifFacts NONE = new ExifFacts(null, null, null, 1, null, null, TakenAtEvidence.NONE, false, false,
            List.of(), null, false, null);

    /** The pixel size a JPEG's frame header, a PNG's IHDR, a GIF's screen or a WebP's canvas says. */
    record PixelSize(long width, long height) {
    }

    /** A JPEG inside the file (a RAW's preview, an EXIF thumbnail), by its offset from the file's start. */
    record EmbeddedJpeg(long offset, long length) {
    }

    private static final DateTimeFormatter EXIF_DATE_TIME = DateTimeFormatter.ofPattern("yyyy:MM:dd HH:mm:ss");
    private static final int TAG_DNG_VERSION = 0xC612;
    private static final int TAG_JPEG_INTERCHANGE_FORMAT = 0x201;
    private static final int TAG_JPEG_INTERCHANGE_FORMAT_LENGTH = 0x202;

    /**
     * The facts of the file, or {@link #NONE} when its headers cannot be parsed: a photo whose
     * metadata is damaged is still shown if libvips can decode it, dated by its file time.
     */
    static ExifFacts read(Path file) {
        Metadata metadata;
        try {
            metadata = ImageMetadataReader.readMetadata(file.toFile());
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            // metadata-extractor throws runtime exceptions on some malformed headers too.
            return NONE;
        }
        return of(metadata);
    }

    static ExifFacts of(Metadata metadata) {
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        ExifSubIFDDirectory exif = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        GpsDirectory gps = metadata.getFirstDirectoryOfType(GpsDirectory.class);

        String make = text(ifd0, ExifDirectoryBase.TAG_MAKE);
        String model = text(ifd0, ExifDirectoryBase.TAG_MODEL);
        String lens = text(exif, ExifDirectoryBase.TAG_LENS_MODEL);
        Integer orientation = integer(ifd0, ExifDirectoryBase.TAG_ORIENTATION);
        int validOrientation = orientation != null && orientation >= 1 && orientation <= 8 ? orientation : 1;

        Double latitude = null;
        Double longitude = null;
        GeoLocation location = gps == null ? null : gps.getGeoLocation();
        if (location != null && inRange(location.getLatitude(), 90) && inRange(location.getLongitude(), 180)) {
            latitude = location.getLatitude();
            longitude = location.getLongitude();
        }

        Date gpsDate = gps == null ? null : gps.getGpsDate();
        TakenAtEvidence takenAt = new TakenAtEvidence(
                localTime(exif), offset(exif), gpsDate == null ? null : gpsDate.toInstant());

        boolean dng = ifd0 != null && ifd0.containsTag(TAG_DNG_VERSION);
        Integer subfileType = integer(ifd0, ExifDirectoryBase.TAG_NEW_SUBFILE_TYPE);
        boolean rawLayout = metadata.containsDirectoryOfType(ExifImageDirectory.class)
                || (ifd0 != null && ifd0.containsTag(ExifDirectoryBase.TAG_SUB_IFD_OFFSET))
                || (subfileType != null && subfileType == 1);

        return new ExifFacts(make, model, lens, validOrientation, latitude, longitude, takenAt, dng, rawLayout,
                embeddedJpegs(metadata), headerSize(metadata), metadata.containsDirectoryOfType(IccDirectory.class),
                integer(metadata.getFirstDirectoryOfType(JpegDirectory.class), JpegDirectory.TAG_NUMBER_OF_COMPONENTS));
    }

    private static PixelSize headerSize(Metadata metadata) {
        PixelSize size = sizeIn(metadata.getFirstDirectoryOfType(JpegDirectory.class),
                JpegDirectory.TAG_IMAGE_WIDTH, JpegDirectory.TAG_IMAGE_HEIGHT);
        for (PngDirectory png : metadata.getDirectoriesOfType(PngDirectory.class)) {
            size = size != null ? size : sizeIn(png, PngDirectory.TAG_IMAGE_WIDTH, PngDirectory.TAG_IMAGE_HEIGHT);
        }
        size = size != null ? size : sizeIn(metadata.getFirstDirectoryOfType(GifHeaderDirectory.class),
                GifHeaderDirectory.TAG_IMAGE_WIDTH, GifHeaderDirectory.TAG_IMAGE_HEIGHT);
        size = size != null ? size : sizeIn(metadata.getFirstDirectoryOfType(WebpDirectory.class),
                WebpDirectory.TAG_IMAGE_WIDTH, WebpDirectory.TAG_IMAGE_HEIGHT);
        return size;
    }

    private static PixelSize sizeIn(Directory directory, int widthTag, int heightTag) {
        Long width = longValue(directory, widthTag);
        Long height = longValue(directory, heightTag);
        return width != null && height != null && width > 0 && height > 0 ? new PixelSize(width, height) : null;
    }

    private static List<EmbeddedJpeg> embeddedJpegs(Metadata metadata) {
        List<EmbeddedJpeg> found = new ArrayList<>();
        for (Directory directory : metadata.getDirectories()) {
            if (!(directory instanceof ExifDirectoryBase)) {
                continue;
            }
            long base = directory instanceof ExifThumbnailDirectory thumbnail ? thumbnail.getExifStartOffset() : 0;
            Long offset = longValue(directory, TAG_JPEG_INTERCHANGE_FORMAT);
            Long length = longValue(directory, TAG_JPEG_INTERCHANGE_FORMAT_LENGTH);
            if (offset != null && length != null) {
                found.add(new EmbeddedJpeg(base + offset, length));
            }
            // Old-style JPEG (6) or JPEG (7) compression in a single strip: a whole JPEG (a CR2's, a NEF's preview).
            Integer compression = integer(directory, ExifDirectoryBase.TAG_COMPRESSION);
            Long stripOffset = longValue(directory, ExifDirectoryBase.TAG_STRIP_OFFSETS);
            Long stripLength = longValue(directory, ExifDirectoryBase.TAG_STRIP_BYTE_COUNTS);
            if (compression != null && (compression == 6 || compression == 7) && stripOffset != null
                    && stripLength != null) {
                found.add(new EmbeddedJpeg(base + stripOffset, stripLength));
            }
        }
        return List.copyOf(found);
    }

    private static LocalDateTime localTime(Directory exif) {
        String original = text(exif, ExifDirectoryBase.TAG_DATETIME_ORIGINAL);
        if (original == null) {
            return null;
        }
        try {
            LocalDateTime time = LocalDateTime.parse(original, EXIF_DATE_TIME);
            String subSecond = text(exif, ExifDirectoryBase.TAG_SUBSECOND_TIME_ORIGINAL);
            if (subSecond != null && subSecond.matches("[0-9]{1,9}")) {
                time = time.withNano(Integer.parseInt((subSecond + "00000000").substring(0, 9)));
            }
            return time;
        } catch (DateTimeParseException e) {
            return null; // "0000:00:00 00:00:00" and the like: a camera that did not know the time
        }
    }

    private static ZoneOffset offset(Directory exif) {
        String offset = text(exif, ExifDirectoryBase.TAG_TIME_ZONE_ORIGINAL);
        if (offset == null || !offset.matches("[+-][0-9]{2}:[0-9]{2}")) {
            return null;
        }
        try {
            return ZoneOffset.of(offset);
        } catch (DateTimeException e) {
            return null; // beyond +-18:00
        }
    }

    private static boolean inRange(double degrees, double limit) {
        return Double.isFinite(degrees) && Math.abs(degrees) <= limit;
    }

    private static String text(Directory directory, int tag) {
        if (directory == null) {
            return null;
        }
        String value = directory.getString(tag);
        if (value == null) {
            return null;
        }
        String trimmed = value.replace('\0', ' ').strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static Integer integer(Directory directory, int tag) {
        return directory == null ? null : directory.getInteger(tag);
    }

    private static Long longValue(Directory directory, int tag) {
        return directory == null ? null : directory.getLongObject(tag);
    }
}
