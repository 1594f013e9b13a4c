package org.attnfer.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.ref.SoftReference;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;

/**
 * The FER2013 CSV of Goodfellow et al., "Challenges in Representation Learning" (ICONIP 2013):
 * columns {@code emotion} (0–6 in {@link Emotions#CANONICAL} order), {@code pixels} (2,304 gray
 * values of a 48×48 face, space-separated) and, optionally, {@code Usage} ({@code Training},
 * {@code PublicTest}, {@code PrivateTest}); columns in any order, as in Kaggle's {@code
 * icml_face_data.csv}. The file is parsed once and kept while memory allows, so that opening its
 * three splits reads it once.
 */
public final class Fer2013Csv {

    /** Pixels per row: one 48×48 face. */
    public static final int SIDE = 48;

    private static SoftReference<Fer2013Csv> last = new SoftReference<>(null);

    private final Path file;
    private final Object key;
    private final byte[][] pixels;
    private final int[] labels;
    private final int[] lines;
    private final String[] usages;
    private final String skipped;
    private final int skippedCount;

    private Fer2013Csv(
            Path file,
            Object key,
            byte[][] pixels,
            int[] labels,
            int[] lines,
            String[] usages,
            String skipped,
            int skippedCount) {
        this.file = file;
        this.key = key;
        this.pixels = pixels;
        this.labels = labels;
        this.lines = lines;
        this.usages = usages;
        this.skipped = skipped;
        this.skippedCount = skippedCount;
    }

    /**
     * Reads a CSV, or returns the copy read last if the file and policy are unchanged.
     *
     * @param file the CSV
     * @param bad what to do with a row that cannot be used (wrong pixel count, unknown emotion)
     * @throws IOException naming the file, or the file and row
     */
    public static synchronized Fer2013Csv read(Path file, BadInput bad) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new NoSuchFileException(abs + " (a FER2013 CSV: emotion,pixels,Usage)");
        }
        Object key =
                List.of(abs, Files.size(abs), Files.getLastModifiedTime(abs).toMillis(), bad.skips());
        Fer2013Csv cached = last.get();
        if (cached != null && cached.key.equals(key)) {
            return cached;
        }
        Fer2013Csv parsed = parse(abs, key, bad);
        last = new SoftReference<>(parsed);
        return parsed;
    }

    private static Fer2013Csv parse(Path file, Object key, BadInput bad) throws IOException {
        List<byte[]> pixels = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> usages = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new IOException(file + ": empty file");
            }
            List<String> columns = Arrays.stream(header.split(",", -1))
                    .map(c -> unquote(c).toLowerCase(Locale.ROOT))
                    .toList();
            int emotion = columns.indexOf("emotion");
            int pixelColumn = columns.indexOf("pixels");
            int usage = columns.indexOf("usage");
            if (emotion < 0 || pixelColumn < 0) {
                throw new IOException(
                        file + ":1: expected a header with the columns emotion and pixels (and Usage), got "
                                + shortened(header.strip()));
            }
            int row = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                String where = file.getFileName() + ":" + row;
                if (cells.length != columns.size()) {
                    bad.report(where + ": expected " + columns.size() + " columns, got " + cells.length);
                    continue;
                }
                String e = unquote(cells[emotion]);
                int label = e.length() == 1 && e.charAt(0) >= '0' && e.charAt(0) < '0' + Emotions.CANONICAL.size()
                        ? e.charAt(0) - '0'
                        : -1;
                if (label < 0) {
                    bad.report(where + ": emotion must be 0 to 6, got '" + shortened(e) + "'");
                    continue;
                }
                byte[] face = pixels(unquote(cells[pixelColumn]));
                if (face == null) {
                    bad.report(where + ": pixels must be " + SIDE * SIDE + " values from 0 to 255 (48×48)");
                    continue;
                }
                pixels.add(face);
                labels.add(label);
                lines.add(row);
                usages.add(usage < 0 ? "Training" : unquote(cells[usage]));
            }
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not a text CSV (not UTF-8)", e);
        }
        if (pixels.isEmpty()) {
            throw new IOException(file + ": no usable rows");
        }
        return new Fer2013Csv(
                file,
                key,
                pixels.toArray(byte[][]::new),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                lines.stream().mapToInt(Integer::intValue).toArray(),
                usages.toArray(String[]::new),
                bad.summary(),
                bad.skipped());
    }

    /** The start of a long line: a row of 2,304 pixel values is no message. */
    private static String shortened(String line) {
        return line.length() <= 60 ? line : line.substring(0, 60) + "… (" + line.length() + " characters)";
    }

    private static String unquote(String s) {
        String t = s.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
                ? t.substring(1, t.length() - 1).strip()
                : t;
    }

    /** Parses space-separated values 0–255; {@code null} unless there are exactly 48×48. */
    private static byte[] pixels(String text) {
        byte[] out = new byte[SIDE * SIDE];
        int n = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else if (c == ' ') {
                if (value >= 0) {
                    if (n == out.length) {
                        return null;
                    }
                    out[n++] = (byte) value;
                    value = -1;
                }
            } else {
                return null;
            }
        }
        return n == out.length ? out : null;
    }

    /** The Usage values present with their row counts, in file order. */
    public Map<String, Integer> usages() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String u : usages) {
            out.merge(u, 1, Integer::sum);
        }
        return out;
    }

    /**
     * The rows of one usage as a dataset.
     *
     * @param usage a Usage value (case-insensitive) or {@code all}
     * @throws IllegalArgumentException when no row has it, listing those present
     */
    public Dataset dataset(String usage) {
        boolean all = usage.equalsIgnoreCase("all");
        int[] rows = IntStream.range(0, labels.length)
                .filter(i -> all || usages[i].equalsIgnoreCase(usage))
                .toArray();
        if (rows.length == 0) {
            throw new IllegalArgumentException(
                    file + " has no rows with Usage '" + usage + "' (it has: " + usages() + ")");
        }
        String description =
                "FER2013 CSV " + file + " (" + (all ? "all" : usage) + ": " + rows.length + " faces" + skipped + ")";
        return new Dataset() {
            @Override
            public String describe() {
                return description;
            }

            @Override
            public int skipped() {
                return skippedCount;
            }

            @Override
            public String fingerprint() {
                CRC32 crc = new CRC32();
                for (int row : rows) {
                    crc.update(labels[row]);
                    crc.update(pixels[row]);
                }
                return "crc32:" + Long.toHexString(crc.getValue());
            }

            @Override
            public List<String> classes() {
                return Emotions.CANONICAL;
            }

            @Override
            public int size() {
                return rows.length;
            }

            @Override
            public int label(int index) {
                return labels[rows[index]];
            }

            @Override
            public Sample get(int index) {
                int row = rows[index];
                BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
                System.arraycopy(
                        pixels[row], 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, SIDE * SIDE);
                return new Sample(file.getFileName() + ":" + lines[row], labels[row], img, Map.of());
            }
        };
    }
}
