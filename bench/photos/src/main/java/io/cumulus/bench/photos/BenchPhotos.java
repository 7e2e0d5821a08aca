package io.cumulus.bench.photos;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The benchmark's photos, the same bytes for the same seed: smooth gradients, soft blobs and
 * sensor-like noise (so they compress as a camera's JPEG does, 3 to 6 MB at 12 megapixels, not
 * as a flat test card does), saved at quality 92 with an EXIF segment (camera, time, offset).
 */
final class BenchPhotos {

    static Path jpeg(Path file, int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(seed);
        double cx = random.nextDouble(width);
        double cy = random.nextDouble(height);
        double radius = Math.max(width, height) * (0.2 + random.nextDouble(0.3));
        int tintR = random.nextInt(60);
        int tintB = random.nextInt(60);
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < width; x++) {
                double dx = x - cx;
                double dy = y - cy;
                double blob = Math.exp(-(dx * dx + dy * dy) / (radius * radius));
                int noise = random.nextInt(17) - 8;
                int r = clamp((int) (tintR + 150.0 * x / width + 60 * blob) + noise);
                int g = clamp((int) (40 + 120.0 * y / height + 80 * blob * Math.sin(x / 37.0)) + noise);
                int b = clamp((int) (tintB + 100.0 * (x + y) / (width + height) + 90 * (1 - blob)) + noise);
                pixels[row + x] = (r << 16) | (g << 8) | b;
            }
        }
        byte[] plain = encode(image, 0.92f);
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length + 512);
        out.write(plain, 0, 2);
        out.writeBytes(exifSegment("Cumulus", "Bench " + seed, "2026:12:05 12:00:" + String.format("%02d", seed % 60),
                "+01:00"));
        out.write(plain, 2, plain.length - 2);
        return Files.write(file, out.toByteArray());
    }

    private static byte[] encode(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** APP1 "Exif": IFD0 (Make, Model, Orientation 1, Exif pointer) and an Exif IFD (DateTimeOriginal, OffsetTimeOriginal). */
    private static byte[] exifSegment(String make, String model, String dateTime, String offset) {
        byte[] makeBytes = ascii(make);
        byte[] modelBytes = ascii(model);
        byte[] dateBytes = ascii(dateTime);
        byte[] offsetBytes = ascii(offset);
        int ifd0 = 8;
        int ifd0Size = 2 + 4 * 12 + 4;
        int makeAt = ifd0 + ifd0Size;
        int modelAt = makeAt + makeBytes.length;
        int exifAt = modelAt + modelBytes.length;
        int exifSize = 2 + 2 * 12 + 4;
        int dateAt = exifAt + exifSize;
        int offsetAt = dateAt + dateBytes.length;
        int tiffSize = offsetAt + offsetBytes.length;
        ByteBuffer tiff = ByteBuffer.allocate(tiffSize).order(ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd0);
        tiff.putShort((short) 4);
        entry(tiff, 0x010F, 2, makeBytes.length, makeAt);
        entry(tiff, 0x0110, 2, modelBytes.length, modelAt);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 1).putShort((short) 0);
        entry(tiff, 0x8769, 4, 1, exifAt);
        tiff.putInt(0);
        tiff.put(makeBytes).put(modelBytes);
        tiff.putShort((short) 2);
        entry(tiff, 0x9003, 2, dateBytes.length, dateAt);
        entry(tiff, 0x9011, 2, offsetBytes.length, offsetAt);
        tiff.putInt(0);
        tiff.put(dateBytes).put(offsetBytes);
        ByteBuffer segment = ByteBuffer.allocate(4 + 6 + tiffSize);
        segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiffSize));
        segment.put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(tiff.array());
        return segment.array();
    }

    private static void entry(ByteBuffer tiff, int tag, int type, int count, int value) {
        tiff.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    private static byte[] ascii(String text) {
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        return bytes.length % 2 == 0 ? bytes : (text + "\0\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    private BenchPhotos() {
    }
}
