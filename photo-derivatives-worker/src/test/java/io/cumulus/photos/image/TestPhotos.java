package io.cumulus.photos.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

/**
 * Builds the photos the tests derive: a JPEG of the given size with gradients and noise (so it
 * compresses like a photo), with the EXIF the test asks for, written by {@link TiffWriter}.
 * {@code aPhoto(400, 200).orientation(6).takenAt("2024:07:01 12:00:00").jpeg()}.
 */
final class TestPhotos {
    private final int width;
    private final int height;
    private final TiffWriter exif = new TiffWriter();

    private TestPhotos(int width, int height) {
        this.width = width;
        this.height = height;
    }

    static TestPhotos aPhoto(int width, int height) {
        return new TestPhotos(width, height);
    }

    TestPhotos orientation(int orientation) {
        exif.ifd0.put(0x0112, TiffWriter.shortValue(orientation));
        return this;
    }

    TestPhotos camera(String make, String model) {
        exif.ifd0.put(0x010F, TiffWriter.ascii(make));
        exif.ifd0.put(0x0110, TiffWriter.ascii(model));
        return this;
    }

    TestPhotos lens(String lens) {
        exif.exif.put(0xA434, TiffWriter.ascii(lens));
        return this;
    }

    /** DateTimeOriginal, the camera's local time, "yyyy:MM:dd HH:mm:ss". */
    TestPhotos takenAt(String localTime) {
        exif.exif.put(0x9003, TiffWriter.ascii(localTime));
        return this;
    }

    /** OffsetTimeOriginal, "+02:00". */
    TestPhotos offset(String offset) {
        exif.exif.put(0x9011, TiffWriter.ascii(offset));
        return this;
    }

    /** Signed degrees, written as the EXIF does: a reference letter and unsigned degrees, minutes, seconds. */
    TestPhotos gps(double latitude, double longitude) {
        exif.gps.put(0x0000, TiffWriter.bytes(2, 3, 0, 0));
        exif.gps.put(0x0001, TiffWriter.ascii(latitude < 0 ? "S" : "N"));
        exif.gps.put(0x0002, dms(Math.abs(latitude)));
        exif.gps.put(0x0003, TiffWriter.ascii(longitude < 0 ? "W" : "E"));
        exif.gps.put(0x0004, dms(Math.abs(longitude)));
        return this;
    }

    /** The GPS clock, UTC: "yyyy:MM:dd" and "HH:mm:ss". */
    TestPhotos gpsTime(String date, String time) {
        String[] hms = time.split(":");
        exif.gps.put(0x0000, TiffWriter.bytes(2, 3, 0, 0));
        exif.gps.put(0x001D, TiffWriter.ascii(date));
        exif.gps.put(0x0007, TiffWriter.rationals(Long.parseLong(hms[0]), 1, Long.parseLong(hms[1]), 1,
                Long.parseLong(hms[2]), 1));
        return this;
    }

    byte[] jpeg() {
        byte[] plain = plainJpeg(width, height);
        if (exif.ifd0.isEmpty() && exif.exif.isEmpty() && exif.gps.isEmpty()) {
            return plain;
        }
        byte[] tiff = exif.write(new byte[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        int length = 2 + 6 + tiff.length;
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length});
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(plain, 2, plain.length - 2);
        return out.toByteArray();
    }

    Path jpegIn(Path directory, String name) {
        return write(directory.resolve(name), jpeg());
    }

    static BufferedImage pixels(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / width + random.nextInt(24)) & 0xFF;
                int g = (y * 255 / height + random.nextInt(24)) & 0xFF;
                int b = ((x + y) * 127 / (width + height) + 64 + random.nextInt(24)) & 0xFF;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    static byte[] plainJpeg(int width, int height) {
        return encode(pixels(width, height), "jpg");
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TiffWriter.Entry dms(double degrees) {
        long d = (long) degrees;
        double minutesFull = (degrees - d) * 60;
        long m = (long) minutesFull;
        long centiSeconds = Math.round((minutesFull - m) * 60 * 100);
        return TiffWriter.rationals(d, 1, m, 1, centiSeconds, 100);
    }
}
