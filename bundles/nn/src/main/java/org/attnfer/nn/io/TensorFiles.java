package org.attnfer.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            case "npy" -> {
                try (InputStream in = Files.newInputStream(file)) {
                    yield Map.of("", Npy.read(in));
                }
            }
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
        try (OutputStream out = Files.newOutputStream(file)) {
            Npy.write(out, tensor);
        }
    }

    /** Writes named tensors as {@code .npz} or {@code .safetensors}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        switch (extension(file)) {
            case "npz" -> Npz.write(file, tensors);
            case "safetensors" -> SafeTensors.write(file, tensors);
            default -> throw new IOException(file + ": unknown tensor format (expected .npz or .safetensors)");
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
