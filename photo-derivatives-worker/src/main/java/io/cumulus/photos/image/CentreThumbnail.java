package io.cumulus.photos.image;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The square thumbnail cut from the middle of the preview, in Java: the preview is our own
 * upright sRGB JPEG of at most 1600 pixels, so ImageIO is safe on it, and this costs about a
 * quarter of a libvips process (whose start alone is some 30 ms of CPU; bench/photos). The image
 * is halved with bilinear steps until within twice the size (a single bilinear step from 1200 to 256
 * pixels would alias), then scaled once; ImageIO's JPEG writer puts no metadata but JFIF in.
 */
final class CentreThumbnail {

    static byte[] of(Path preview, int size, int quality) throws IOException {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(preview.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                int shortSide = Math.min(width, height);
                // Only the middle square, and every n-th pixel of it as long as it stays at least twice the
                // thumbnail: the reader skips the colour conversion of the rest.
                int step = Math.max(1, shortSide / (2 * size));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceRegion(new Rectangle((width - shortSide) / 2, (height - shortSide) / 2,
                        shortSide, shortSide));
                param.setSourceSubsampling(step, step, 0, 0);
                image = reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
        int side = Math.min(image.getWidth(), image.getHeight());
        BufferedImage square = image.getSubimage((image.getWidth() - side) / 2, (image.getHeight() - side) / 2,
                side, side);
        while (side / 2 >= 2 * size) {
            side /= 2;
            square = scaled(square, side);
        }
        return jpeg(scaled(square, size), quality);
    }

    private static BufferedImage scaled(BufferedImage source, int side) {
        BufferedImage target = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, side, side, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    private static byte[] jpeg(BufferedImage image, int quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 * 1024);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private CentreThumbnail() {
    }
}
