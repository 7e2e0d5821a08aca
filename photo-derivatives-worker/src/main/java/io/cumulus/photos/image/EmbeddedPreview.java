package io.cumulus.photos.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;

/**
 * The largest JPEG a RAW file carries (its camera-rendered preview), copied out to a file of its
 * own so libvips derives from it: decoding the sensor data itself would need a RAW developer,
 * slower and with colours unlike the camera's. The copy gets an EXIF segment holding only the RAW's
 * orientation, which the embedded JPEG itself does not carry, so that libvips rotates it.
 */
final class EmbeddedPreview {
    /**
     * Fewer bytes than a JPEG's start and end markers are no JPEG. A RAW whose only JPEG is the
     * 160 x 120 EXIF thumbnail still gets it: a small picture is better than none.
     */
    private static final long MIN_PREVIEW_BYTES = 4;

    static Optional<Path> extract(Path raw, String format, ExifFacts facts, Path into, long maxBytes)
            throws IOException {
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
            long size = channel.size();
            Optional<ExifFacts.EmbeddedJpeg> largest = facts.embeddedJpegs().stream()
                    .filter(jpeg -> jpeg.offset() >= 0 && jpeg.length() >= MIN_PREVIEW_BYTES
                            && jpeg.length() <= maxBytes && jpeg.offset() + jpeg.length() <= size)
                    .filter(jpeg -> startsAsJpeg(channel, jpeg.offset()))
                    .max(Comparator.comparingLong(ExifFacts.EmbeddedJpeg::length));
            if (largest.isEmpty() && format.equals("raw-raf")) {
                largest = fujifilmPreview(channel, size, maxBytes);
            }
            if (largest.isEmpty() && format.equals("raw-cr3")) {
                largest = canonCr3Preview(channel, size, maxBytes);
            }
            if (largest.isEmpty()) {
                return Optional.empty();
            }
            copyWithOrientation(channel, largest.get(), facts.orientation(), into);
            return Optional.of(into);
        }
    }

    /** A RAF file's header gives its JPEG's offset and length (big-endian, at bytes 84 and 88). */
    private static Optional<ExifFacts.EmbeddedJpeg> fujifilmPreview(FileChannel channel, long size, long maxBytes)
            throws IOException {
        ByteBuffer header = ByteBuffer.allocate(8);
        if (channel.read(header, 84) < 8) {
            return Optional.empty();
        }
        long offset = Integer.toUnsignedLong(header.getInt(0));
        long length = Integer.toUnsignedLong(header.getInt(4));
        if (offset + length > size || length > maxBytes || !startsAsJpeg(channel, offset)) {
            return Optional.empty();
        }
        return Optional.of(new ExifFacts.EmbeddedJpeg(offset, length));
    }

    /** The uuid of the CR3 box that holds the 1620 x 1080 preview (github.com/lclevy/canon_cr3). */
    private static final long CR3_PREVIEW_UUID_HIGH = 0xeaf42b5e1c984b88L;
    private static final long CR3_PREVIEW_UUID_LOW = 0xb9fbb7dc406e4d16L;

    /**
     * A CR3 (ISO base media file) keeps its preview in a top-level {@code uuid} box: 8 bytes, then a
     * {@code PRVW} box whose JPEG's length is at byte 20 of it and whose JPEG starts at byte 24.
     */
    private static Optional<ExifFacts.EmbeddedJpeg> canonCr3Preview(FileChannel channel, long size, long maxBytes)
            throws IOException {
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(24);
        while (position + 24 <= size) {
            header.clear();
            if (channel.read(header, position) < 24) {
                return Optional.empty();
            }
            long boxSize = Integer.toUnsignedLong(header.getInt(0));
            int type = header.getInt(4);
            if (boxSize == 1) {
                ByteBuffer large = ByteBuffer.allocate(8);
                channel.read(large, position + 8);
                boxSize = large.getLong(0);
            } else if (boxSize == 0) {
                boxSize = size - position;
            }
            if (boxSize < 8 || position + boxSize > size) {
                return Optional.empty();
            }
            if (type == fourCc("uuid") && header.getLong(8) == CR3_PREVIEW_UUID_HIGH
                    && header.getLong(16) == CR3_PREVIEW_UUID_LOW) {
                ByteBuffer prvw = ByteBuffer.allocate(24);
                long at = position + 24 + 8;
                if (channel.read(prvw, at) < 24 || prvw.getInt(4) != fourCc("PRVW")) {
                    return Optional.empty();
                }
                long length = Integer.toUnsignedLong(prvw.getInt(20));
                long offset = at + 24;
                if (offset + length > size || length > maxBytes || !startsAsJpeg(channel, offset)) {
                    return Optional.empty();
                }
                return Optional.of(new ExifFacts.EmbeddedJpeg(offset, length));
            }
            position += boxSize;
        }
        return Optional.empty();
    }

    private static int fourCc(String code) {
        return (code.charAt(0) << 24) | (code.charAt(1) << 16) | (code.charAt(2) << 8) | code.charAt(3);
    }

    private static boolean startsAsJpeg(FileChannel channel, long offset) {
        ByteBuffer soi = ByteBuffer.allocate(3);
        try {
            return channel.read(soi, offset) == 3 && (soi.get(0) & 0xFF) == 0xFF && (soi.get(1) & 0xFF) == 0xD8
                    && (soi.get(2) & 0xFF) == 0xFF;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyWithOrientation(FileChannel channel, ExifFacts.EmbeddedJpeg jpeg, int orientation,
            Path into) throws IOException {
        try (FileChannel target = FileChannel.open(into, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(38);
            head.put((byte) 0xFF).put((byte) 0xD8).put(orientationSegment(orientation)).flip();
            while (head.hasRemaining()) {
                target.write(head);
            }
            // The rest of the JPEG, past its own SOI marker: ours is written.
            long from = jpeg.offset() + 2;
            long remaining = jpeg.length() - 2;
            while (remaining > 0) {
                long n = channel.transferTo(from, remaining, target);
                if (n <= 0) {
                    throw new IOException("the embedded JPEG ends before its length");
                }
                from += n;
                remaining -= n;
            }
        }
    }

    /** An APP1 Exif segment with one tag, Orientation (a little-endian TIFF with one IFD of one entry). */
    static byte[] orientationSegment(int orientation) {
        ByteBuffer segment = ByteBuffer.allocate(36).order(ByteOrder.BIG_ENDIAN);
        segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) 34);
        segment.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        segment.order(ByteOrder.LITTLE_ENDIAN);
        segment.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        segment.putShort((short) 1);
        segment.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        segment.putInt(0);
        return segment.array();
    }

    private EmbeddedPreview() {
    }
}
