package io.cumulus.bench.photos;

import java.awt.Graphics2D;
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

import com.drew.imaging.ImageMetadataReader;

/**
 * The pure-Java candidate, measured beside libvips: metadata-extractor for the metadata, the JDK's
 * ImageIO JPEG reader decoding every n-th pixel of every n-th row (source subsampling, the nearest
 * ImageIO has to shrink-on-load: it still decodes every DCT block), a bilinear scale to 1600 pixels,
 * a 256-pixel centre crop from that, both encoded at quality 0.82. TwelveMonkeys' JPEG reader
 * delegates decoding to this same reader, so it would measure the same.
 */
final class PureJavaDeriver {

    static int[] derive(Path file, int previewSize, int thumbnailSize) throws Exception {
        ImageMetadataReader.readMetadata(file.toFile());
        BufferedImage decoded;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in, true, true);
                int longSide = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longSide / previewSize);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                decoded = reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
        double scale = Math.min(1.0, (double) previewSize / Math.max(decoded.getWidth(), decoded.getHeight()));
        BufferedImage preview = scaled(decoded, (int) Math.round(decoded.getWidth() * scale),
                (int) Math.round(decoded.getHeight() * scale), 0, 0, decoded.getWidth(), decoded.getHeight());
        int side = Math.min(preview.getWidth(), preview.getHeight());
        BufferedImage thumbnail = scaled(preview, thumbnailSize, thumbnailSize, (preview.getWidth() - side) / 2,
                (preview.getHeight() - side) / 2, side, side);
        return new int[] {jpeg(preview).length, jpeg(thumbnail).length};
    }

    private static BufferedImage scaled(BufferedImage source, int width, int height, int sx, int sy, int sw, int sh) {
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, width, height, sx, sy, sx + sw, sy + sh, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.82f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private PureJavaDeriver() {
    }
}
