package org.attnfer.nn.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** NumPy's {@code .npz}: a zip archive with one {@code <key>.npy} entry per array. */
public final class Npz {

    private Npz() {}

    /** Reads every array, keyed by entry name without {@code .npy}, in archive order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads every array from a stream; {@code source} names it in error messages. Every entry must
     * be a {@code .npy} array, once; the archive's checksums are verified as it is read.
     */
    public static Map<String, Tensor> read(InputStream stream, String source) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        String entry = null;
        // a zip starts with "PK" (an empty archive too); ZipInputStream alone would read anything as no entries
        BufferedInputStream in = new BufferedInputStream(stream);
        in.mark(2);
        if (in.read() != 'P' || in.read() != 'K') {
            throw new IOException(source + ": not an .npz archive (not a zip file)");
        }
        in.reset();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entry = e.getName();
                if (e.isDirectory()) {
                    continue;
                }
                if (!entry.endsWith(".npy")) {
                    throw new IOException("is not a .npy array (an .npz holds only arrays)");
                }
                String key = entry.substring(0, entry.length() - 4);
                if (out.put(key, Npy.read(zip)) != null) {
                    throw new IOException("appears twice");
                }
            }
            entry = null;
        } catch (IOException ex) {
            throw new IOException(
                    source + (entry == null ? "" : ": entry " + entry) + ": " + reason(ex)
                            + (entry == null ? " (not a complete .npz archive)" : ""),
                    ex);
        }
        return out;
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Writes arrays as an uncompressed archive, as {@code numpy.savez} does. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, tensors);
        }
    }

    /** Writes arrays to a stream. */
    public static void write(OutputStream stream, Map<String, Tensor> tensors) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(stream);
        zip.setLevel(0);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            Npy.write(zip, e.getValue());
            zip.closeEntry();
        }
        zip.finish();
    }
}
