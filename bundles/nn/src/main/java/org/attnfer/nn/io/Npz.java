package org.attnfer.nn.io;

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

    /** Reads every array from a stream; {@code source} names it in error messages. */
    public static Map<String, Tensor> read(InputStream stream, String source) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(stream)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.isDirectory()) {
                    continue;
                }
                String key = e.getName().endsWith(".npy")
                        ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                try {
                    out.put(key, Npy.read(zip));
                } catch (IOException ex) {
                    throw new IOException(source + ": entry " + e.getName() + ": " + ex.getMessage(), ex);
                }
            }
        }
        return out;
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
