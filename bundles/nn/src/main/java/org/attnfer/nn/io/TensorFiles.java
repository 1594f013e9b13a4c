package org.attnfer.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;

/** Reads and writes named tensors, choosing the format by file extension. */
public final class TensorFiles {

    private TensorFiles() {}

    /**
     * Reads {@code .npz} or {@code .safetensors} (named tensors) or {@code .npy} (one tensor, key
     * {@code ""}).
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such tensor file");
        }
        return switch (extension(file)) {
            case "npz" -> Npz.read(file);
            case "safetensors" -> SafeTensors.read(file);
            case "pth", "pt" -> WeightFile.read(file).values();
            case "npy" -> Map.of("", readNpy(file));
            default -> throw new IOException(file + ": unknown tensor format (expected .npz, .safetensors or .npy)");
        };
    }

    /** Reads a single {@code .npy} tensor. */
    public static Tensor readNpy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Npy.read(in);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a single {@code .npy} tensor. */
    public static void writeNpy(Path file, Tensor tensor) throws IOException {
        whole(file, to -> {
            try (OutputStream out = Files.newOutputStream(to)) {
                Npy.write(out, tensor);
            }
        });
    }

    /** Writes named tensors as {@code .npz} or {@code .safetensors}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        switch (extension(file)) {
            case "npz" -> whole(file, to -> Npz.write(to, tensors));
            case "safetensors" -> whole(file, to -> SafeTensors.write(to, tensors));
            default -> throw new IOException(file + ": unknown tensor format (expected .npz or .safetensors)");
        }
    }

    private interface Writer {
        void write(Path to) throws IOException;
    }

    /**
     * Writes a file whole or not at all: into a temporary file beside it, then renamed over it, so
     * that a full disk or a crash never leaves half a tensor file. Special files ({@code /dev/null})
     * are written directly.
     */
    private static void whole(Path file, Writer writer) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new NoSuchFileException(
                    parent.toString(), null, "no such folder to write " + file.getFileName() + " into");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            try {
                writer.write(file);
            } catch (IOException e) {
                throw new IOException(file + ": cannot write (" + e.getMessage() + ")", e);
            }
            return;
        }
        Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            writer.write(temp);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
