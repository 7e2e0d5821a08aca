package io.cumulus.photos.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a little-endian TIFF structure (TIFF 6.0, section 2): IFD0 with, when it has entries, an
 * Exif IFD and a GPS IFD it points to, and optionally bytes appended after them (an embedded JPEG
 * whose offset an entry names). The tests build EXIF with it, so what the deriver reads is exactly
 * what the test wrote.
 */
final class TiffWriter {
    static final int BYTE = 1;
    static final int ASCII = 2;
    static final int SHORT = 3;
    static final int LONG = 4;
    static final int RATIONAL = 5;
    static final int UNDEFINED = 7;

    private static final int TAG_EXIF_IFD = 0x8769;
    private static final int TAG_GPS_IFD = 0x8825;

    record Entry(int type, int count, byte[] value) {
    }

    final Map<Integer, Entry> ifd0 = new TreeMap<>();
    final Map<Integer, Entry> exif = new TreeMap<>();
    final Map<Integer, Entry> gps = new TreeMap<>();

    static Entry ascii(String text) {
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.ISO_8859_1);
        return new Entry(ASCII, bytes.length, bytes);
    }

    static Entry shortValue(int value) {
        return new Entry(SHORT, 1, le(2).putShort((short) value).array());
    }

    static Entry longValue(long value) {
        return new Entry(LONG, 1, le(4).putInt((int) value).array());
    }

    static Entry bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return new Entry(BYTE, values.length, bytes);
    }

    static Entry rationals(long... numeratorsAndDenominators) {
        ByteBuffer buffer = le(4 * numeratorsAndDenominators.length);
        for (long v : numeratorsAndDenominators) {
            buffer.putInt((int) v);
        }
        return new Entry(RATIONAL, numeratorsAndDenominators.length / 2, buffer.array());
    }

    /** The TIFF bytes, then {@code trailer}; {@code trailerOffsetTags} (in IFD0) get the trailer's offset. */
    byte[] write(byte[] trailer, int... trailerOffsetTags) {
        List<Map<Integer, Entry>> ifds = new ArrayList<>();
        ifds.add(ifd0);
        if (!exif.isEmpty()) {
            ifd0.put(TAG_EXIF_IFD, longValue(0));
            ifds.add(exif);
        }
        if (!gps.isEmpty()) {
            ifd0.put(TAG_GPS_IFD, longValue(0));
            ifds.add(gps);
        }
        for (int tag : trailerOffsetTags) {
            ifd0.put(tag, longValue(0));
        }
        int[] offsets = new int[ifds.size()];
        int position = 8;
        for (int i = 0; i < ifds.size(); i++) {
            offsets[i] = position;
            position += size(ifds.get(i));
        }
        int trailerOffset = position;
        int next = 1;
        if (!exif.isEmpty()) {
            ifd0.put(TAG_EXIF_IFD, longValue(offsets[next++]));
        }
        if (!gps.isEmpty()) {
            ifd0.put(TAG_GPS_IFD, longValue(offsets[next]));
        }
        for (int tag : trailerOffsetTags) {
            ifd0.put(tag, longValue(trailerOffset));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(8).put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).array());
        for (int i = 0; i < ifds.size(); i++) {
            out.writeBytes(serialise(ifds.get(i), offsets[i]));
        }
        out.writeBytes(trailer);
        return out.toByteArray();
    }

    private static int size(Map<Integer, Entry> ifd) {
        int size = 2 + 12 * ifd.size() + 4;
        for (Entry entry : ifd.values()) {
            if (entry.value().length > 4) {
                size += (entry.value().length + 1) & ~1;
            }
        }
        return size;
    }

    private static byte[] serialise(Map<Integer, Entry> ifd, int at) {
        ByteBuffer entries = le(2 + 12 * ifd.size() + 4);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int dataAt = at + 2 + 12 * ifd.size() + 4;
        entries.putShort((short) ifd.size());
        for (var e : ifd.entrySet()) {
            Entry entry = e.getValue();
            entries.putShort(e.getKey().shortValue()).putShort((short) entry.type()).putInt(entry.count());
            if (entry.value().length <= 4) {
                byte[] inline = new byte[4];
                System.arraycopy(entry.value(), 0, inline, 0, entry.value().length);
                entries.put(inline);
            } else {
                entries.putInt(dataAt + data.size());
                data.writeBytes(entry.value());
                if (entry.value().length % 2 == 1) {
                    data.write(0);
                }
            }
        }
        entries.putInt(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(entries.array());
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
