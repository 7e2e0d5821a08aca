package io.cumulus.photos.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises an image by its content, never by its name: the first {@link #HEAD_BYTES} bytes of a
 * file name its format as the {@code format} column does ({@code jpeg}, {@code png}, {@code webp},
 * {@code gif}, {@code tiff}, {@code heif}, {@code avif}, {@code raw-cr2}...). RAW formats with a
 * magic of their own (CR2, CR3, ORF, RW2, RAF, CRW) are told here; the ones that are plain TIFF
 * to the byte (DNG, NEF, ARW, PEF...) come out as {@code tiff} and {@link PhotoDeriver} tells them
 * apart by their EXIF ({@link #refineTiff}).
 */
public final class ImageKinds {
    /** How many leading bytes {@link #recognise} needs; fewer is fine for a shorter file. */
    public static final int HEAD_BYTES = 64;

    /** Brands of ISO base media files (ISO/IEC 23008-12, HEIF) that hold an image, by their format. */
    private static final Map<String, String> IMAGE_BRANDS = Map.ofEntries(
            Map.entry("heic", "heif"), Map.entry("heix", "heif"), Map.entry("heim", "heif"),
            Map.entry("heis", "heif"), Map.entry("hevc", "heif"), Map.entry("hevx", "heif"),
            Map.entry("mif1", "heif"), Map.entry("msf1", "heif"), Map.entry("mif2", "heif"),
            Map.entry("avif", "avif"), Map.entry("avis", "avif"), Map.entry("crx ", "raw-cr3"));

    public static Optional<String> recognise(byte[] head) {
        if (head == null) {
            return Optional.empty();
        }
        if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("jpeg");
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("png");
        }
        if (startsWith(head, 0, 'G', 'I', 'F', '8') && head.length > 5 && (head[4] == '7' || head[4] == '9')
                && head[5] == 'a') {
            return Optional.of("gif");
        }
        if (startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of("webp");
        }
        if (startsWith(head, 4, 'f', 't', 'y', 'p')) {
            return isoBrand(head);
        }
        if (startsWith(head, 0, 'F', 'U', 'J', 'I', 'F', 'I', 'L', 'M', 'C', 'C', 'D', '-', 'R', 'A', 'W')) {
            return Optional.of("raw-raf");
        }
        if (startsWith(head, 0, 'I', 'I', 0x1A, 0, 0, 0, 'H', 'E', 'A', 'P', 'C', 'C', 'D', 'R')) {
            return Optional.of("raw-crw");
        }
        if (startsWith(head, 0, 'I', 'I', 'R', 'O') || startsWith(head, 0, 'I', 'I', 'R', 'S')
                || startsWith(head, 0, 'M', 'M', 'O', 'R')) {
            return Optional.of("raw-orf");
        }
        if (startsWith(head, 0, 'I', 'I', 'U', 0)) {
            return Optional.of("raw-rw2");
        }
        if (startsWith(head, 0, 'I', 'I', '*', 0) && startsWith(head, 8, 'C', 'R')) {
            return Optional.of("raw-cr2");
        }
        if (startsWith(head, 0, 'I', 'I', '*', 0) || startsWith(head, 0, 'M', 'M', 0, '*')
                || startsWith(head, 0, 'I', 'I', '+', 0) || startsWith(head, 0, 'M', 'M', 0, '+')) {
            return Optional.of("tiff");
        }
        return Optional.empty();
    }

    /**
     * A TIFF that is a camera's RAW file, told by its EXIF: a DNG says so (DNGVersion); the others
     * are a camera maker's TIFF that keeps its sensor data in a sub-IFD or marks its first image as
     * a reduced-resolution preview, which a scanner's or an editor's TIFF does not.
     */
    static String refineTiff(String make, boolean dngVersion, boolean rawLayout) {
        if (dngVersion) {
            return "raw-dng";
        }
        if (make == null || !rawLayout) {
            return "tiff";
        }
        String m = make.trim().toUpperCase(Locale.ROOT);
        if (m.startsWith("NIKON")) {
            return "raw-nef";
        }
        if (m.startsWith("SONY")) {
            return "raw-arw";
        }
        if (m.startsWith("PENTAX") || m.startsWith("RICOH")) {
            return "raw-pef";
        }
        if (m.startsWith("SAMSUNG")) {
            return "raw-srw";
        }
        if (m.startsWith("CANON")) {
            return "raw-cr2";
        }
        if (m.startsWith("OLYMPUS") || m.startsWith("OM DIGITAL")) {
            return "raw-orf";
        }
        if (m.startsWith("HASSELBLAD")) {
            return "raw-3fr";
        }
        if (m.startsWith("PHASE ONE")) {
            return "raw-iiq";
        }
        if (m.startsWith("KODAK")) {
            return "raw-dcr";
        }
        if (m.startsWith("MINOLTA") || m.startsWith("KONICA")) {
            return "raw-mrw";
        }
        return "tiff";
    }

    static boolean isRaw(String format) {
        return format.startsWith("raw-");
    }

    private static Optional<String> isoBrand(byte[] head) {
        if (head.length < 12) {
            return Optional.empty();
        }
        String major = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
        String format = IMAGE_BRANDS.get(major);
        if (format == null) {
            // A generic major brand (isom...): an image only if a compatible brand says so.
            format = compatibleImageBrand(head);
        } else if (format.equals("heif") && major.startsWith("mif") && compatibleBrands(head).contains("avif")) {
            format = "avif";
        }
        return Optional.ofNullable(format);
    }

    private static String compatibleImageBrand(byte[] head) {
        String brands = compatibleBrands(head);
        for (int i = 0; i + 4 <= brands.length(); i += 4) {
            String format = IMAGE_BRANDS.get(brands.substring(i, i + 4));
            if (format != null && !format.equals("heif")) {
                return format;
            }
        }
        for (int i = 0; i + 4 <= brands.length(); i += 4) {
            String brand = brands.substring(i, i + 4);
            if (IMAGE_BRANDS.containsKey(brand)) {
                return IMAGE_BRANDS.get(brand);
            }
        }
        return null;
    }

    /** The compatible brands of the ftyp box, as far as the head holds them. */
    private static String compatibleBrands(byte[] head) {
        long boxSize = ((head[0] & 0xFFL) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        int end = (int) Math.min(Math.min(boxSize, head.length), Integer.MAX_VALUE);
        if (end <= 16) {
            return "";
        }
        return new String(Arrays.copyOfRange(head, 16, end), StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] head, int at, int... expected) {
        if (head.length < at + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((head[at + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private ImageKinds() {
    }
}
