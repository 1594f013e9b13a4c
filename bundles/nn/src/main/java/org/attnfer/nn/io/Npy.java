package org.attnfer.nn.io;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * NumPy's {@code .npy} format, versions 1 to 3: a magic string, a Python-dict header, then the raw
 * C-order data. Reads little-endian float32/64, int32/64, uint8 and bool into float32; writes
 * float32 ({@code '<f4'}, version 1.0).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** numpy's own limit for a header. */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /**
     * Reads one array. Sizes are checked before anything is allocated: a header can declare any
     * shape, and only the stream's bytes tell whether it is real.
     */
    public static Tensor read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = in.readNBytes(MAGIC.length + 2);
        if (magic.length < MAGIC.length + 2 || !Arrays.equals(magic, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("not a .npy array (bad magic)");
        }
        int major = magic[MAGIC.length] & 0xff;
        int headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLength = Integer.reverseBytes(in.readInt());
        } else {
            throw new IOException("unsupported .npy version " + major);
        }
        if (headerLength < 0 || headerLength > MAX_HEADER) {
            throw new IOException(".npy header length " + Integer.toUnsignedString(headerLength) + " is not plausible");
        }
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerBytes.length < headerLength) {
            throw new IOException(".npy header ends early (" + headerBytes.length + " of " + headerLength + " bytes)");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr");
        if (group(FORTRAN, header, "fortran_order").equals("True")) {
            throw new IOException("Fortran-ordered .npy arrays are not supported");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape"));
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "|b1" -> 1;
            default ->
                throw new IOException("unsupported .npy dtype " + descr + " (little-endian float, int or uint8 only)");
        };
        long count = 1;
        for (long d : shape) {
            count = count == 0 || d <= (Integer.MAX_VALUE - 8) / count ? count * d : Long.MAX_VALUE;
        }
        if (count > (Integer.MAX_VALUE - 8) / width) {
            throw new IOException(".npy shape " + Arrays.toString(shape) + " is too large for one array");
        }
        int n = (int) count;
        // readNBytes grows its buffer as bytes arrive, so a false shape costs only the real bytes
        byte[] raw = in.readNBytes(n * width);
        if (raw.length < n * width) {
            throw new IOException(".npy data ends early: shape " + Arrays.toString(shape) + " " + descr + " needs "
                    + (long) n * width + " bytes, the file has " + raw.length);
        }
        if (in.read() >= 0) {
            throw new IOException(".npy data goes on past shape " + Arrays.toString(shape) + " " + descr);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = switch (descr) {
                case "<f4" -> buf.getFloat();
                case "<f8" -> (float) buf.getDouble();
                case "<i4" -> buf.getInt();
                case "<i8" -> buf.getLong();
                default -> buf.get() & 0xff;
            };
        }
        return new Tensor(shape, data);
    }

    /** Writes one float32 array (version 1.0). */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple(tensor.shape()) + ", }";
        // header padded with spaces so that the data starts on a 64-byte boundary, ending in '\n'
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(1);
        head.write(0);
        head.write(header.length() & 0xff);
        head.write((header.length() >> 8) & 0xff);
        head.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(head.toByteArray());
        ByteBuffer buf = ByteBuffer.allocate(tensor.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(tensor.data());
        out.write(buf.array());
    }

    /** Python's tuple syntax: {@code ()}, {@code (7,)}, {@code (2, 3)}. */
    private static String tuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String group(Pattern p, String header, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(".npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text) throws IOException {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (!part.isBlank()) {
                long d;
                try {
                    d = Long.parseLong(part.trim().replace("L", ""));
                } catch (NumberFormatException e) {
                    throw new IOException(".npy shape (" + text + ") has a dimension that is not a number");
                }
                if (d < 0) {
                    throw new IOException(".npy shape (" + text + ") has a negative dimension");
                }
                dims.add(d);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
