package org.attnfer.nn.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .safetensors} format: an 8-byte little-endian header length, a JSON header giving
 * each tensor's dtype, shape and byte range, then the data. Reads F32, F64, F16, BF16, I64 and I32
 * into float32; writes F32.
 */
public final class SafeTensors {

    // duplicate names and bytes after the header's object are damage, not something to guess around
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The format's own limit on the header (100 MB). */
    private static final long MAX_HEADER = 100_000_000;

    private SafeTensors() {}

    /** Reads every tensor, in header order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readWithMetadata(file, new LinkedHashMap<>());
    }

    /** Reads every tensor with the type it is stored in, in header order. */
    public static Map<String, StoredTensor> readStored(Path file) throws IOException {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        Map<String, String> dtypes = new LinkedHashMap<>();
        Map<String, Tensor> tensors = read(file, new LinkedHashMap<>(), dtypes);
        tensors.forEach((k, v) -> out.put(k, new StoredTensor(v, dtypes.get(k))));
        return out;
    }

    /**
     * Reads every tensor and the header's {@code __metadata__} (text values).
     *
     * @param metadata receives the metadata
     */
    public static Map<String, Tensor> readWithMetadata(Path file, Map<String, String> metadata) throws IOException {
        return read(file, metadata, new LinkedHashMap<>());
    }

    private static Map<String, Tensor> read(Path file, Map<String, String> metadata, Map<String, String> dtypes)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long headerLength = len.flip().getLong();
            if (headerLength <= 1 || headerLength > MAX_HEADER || 8 + headerLength > ch.size()) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLength
                        + " in a file of " + ch.size() + " bytes)");
            }
            ByteBuffer head = ByteBuffer.allocate((int) headerLength);
            readFully(ch, head, file);
            JsonNode header = header(file, head.array());
            long base = 8 + headerLength;
            List<Entry> entries = entries(file, header, ch.size() - base);
            Map<String, Tensor> out = new LinkedHashMap<>();
            header.path("__metadata__")
                    .properties()
                    .forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
            for (Entry e : entries) {
                out.put(e.key(), readTensor(ch, base, e, file));
                dtypes.put(e.key(), e.dtype());
            }
            return out;
        }
    }

    /** One tensor's place in the data area, checked against its dtype and shape. */
    private record Entry(String key, String dtype, long[] shape, int count, long begin, long end) {}

    private static JsonNode header(Path file, byte[] bytes) throws IOException {
        JsonNode header;
        try {
            header = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // a header length past the real header reads tensor bytes as JSON: refused here
            throw new IOException(file + ": the safetensors header is not one JSON object ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (header == null || !header.isObject()) {
            throw new IOException(file + ": the safetensors header is not a JSON object");
        }
        return header;
    }

    /**
     * Every tensor's entry, validated as a whole: known dtype, non-negative shape whose byte size is
     * its range, and ranges that tile the data area exactly (no gap, no overlap, nothing outside).
     */
    private static List<Entry> entries(Path file, JsonNode header, long dataBytes) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String key = e.getKey();
            JsonNode info = e.getValue();
            if (key.equals("__metadata__")) {
                if (!info.isObject()) {
                    throw new IOException(file + ": __metadata__ is not a JSON object");
                }
                continue;
            }
            String where = file + ": tensor " + key + ": ";
            if (!info.isObject()) {
                throw new IOException(where + "its entry is not a JSON object");
            }
            String dtype = info.path("dtype").asText("");
            int width = width(dtype);
            if (width == 0) {
                throw new IOException(where + "unsupported dtype '" + dtype + "' (F32, F64, F16, BF16, I64, I32)");
            }
            JsonNode shapeNode = info.path("shape");
            JsonNode offsets = info.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IOException(where + "needs a 'shape' list and two 'data_offsets'");
            }
            long[] shape = new long[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                    throw new IOException(where + "shape " + shapeNode + " has a dimension that is not a count");
                }
                shape[i] = d.asLong();
                count = count == 0 || shape[i] <= Integer.MAX_VALUE / count ? count * shape[i] : Long.MAX_VALUE;
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(where + "shape " + shapeNode + " is too large");
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber() || begin < 0 || end < begin) {
                throw new IOException(where + "data_offsets " + offsets + " are not a byte range");
            }
            if (end - begin != count * width) {
                throw new IOException(where + "data_offsets " + offsets + " span " + (end - begin) + " bytes, but "
                        + dtype + " " + shapeNode + " needs " + count * width);
            }
            entries.add(new Entry(key, dtype, shape, (int) count, begin, end));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        for (Entry e : byOffset) {
            if (e.begin() != next) {
                throw new IOException(file + ": tensor " + e.key() + " starts at byte " + e.begin() + " of the data, "
                        + (e.begin() < next ? "inside the tensor before it" : "leaving a gap after byte " + next)
                        + " (the header or the file is damaged)");
            }
            next = e.end();
        }
        if (next != dataBytes) {
            throw new IOException(file + ": the tensors span " + next + " bytes but the file has " + dataBytes
                    + " after its header (truncated, or the header length is wrong)");
        }
        return entries;
    }

    private static int width(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> 0;
        };
    }

    /** Writes float32 tensors. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /** Writes float32 tensors and text metadata ({@code format: pt} is always added). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long size = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int pad = (8 - json.length % 8) % 8;
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + json.length + pad).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(json.length + pad).put(json);
            for (int i = 0; i < pad; i++) {
                head.put((byte) ' ');
            }
            writeFully(ch, head.flip());
            for (Tensor t : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(t.data());
                writeFully(ch, data);
            }
        }
    }

    private static Tensor readTensor(FileChannel ch, long base, Entry e, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(base + e.begin());
        readFully(ch, buf, file);
        buf.flip();
        float[] data = new float[e.count()];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (e.dtype()) {
                case "F32" -> buf.getFloat();
                case "F64" -> (float) buf.getDouble();
                case "I32" -> buf.getInt();
                case "I64" -> buf.getLong();
                case "F16" -> halfToFloat(buf.getShort());
                default -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
            };
        }
        return new Tensor(e.shape(), data);
    }

    /** IEEE 754 binary16 to float (Java 17 has no built-in conversion). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            // zero or subnormal: mant · 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException(file + ": unexpected end of file");
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
