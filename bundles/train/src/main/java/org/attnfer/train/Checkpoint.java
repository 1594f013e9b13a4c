package org.attnfer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attnfer.nn.io.SafeTensors;
import org.attnfer.nn.io.Tensor;

/**
 * A training checkpoint in one {@code .safetensors} file: the model under {@code model/NAME}, the
 * optimiser under {@code optimizer/NAME}, and the trainer's state as text metadata. Written under a
 * temporary name and renamed, so a crash leaves the previous checkpoint intact.
 *
 * @param model the model's state dict
 * @param optimizer the optimiser's state
 * @param meta the trainer's state
 */
record Checkpoint(Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, String> meta) {

    private static final String MODEL = "model/";
    private static final String OPTIMIZER = "optimizer/";

    void write(Path file) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put(MODEL + k, v));
        optimizer.forEach((k, v) -> all.put(OPTIMIZER + k, v));
        atomically(file, tmp -> SafeTensors.write(tmp, all, meta));
    }

    static Checkpoint read(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> all = SafeTensors.readWithMetadata(file, meta);
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIMIZER)) {
                optimizer.put(k.substring(OPTIMIZER.length()), v);
            }
        });
        return new Checkpoint(model, optimizer, meta);
    }

    /** A writer of one file. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    /** Writes {@code file} through a temporary file in the same folder, then renames it into place. */
    static void atomically(Path file, Writer writer) throws IOException {
        // the temporary name keeps the extension, which decides the format
        Path tmp = file.resolveSibling(".tmp." + file.getFileName());
        try {
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // a full disk says only "No space left on device": name the file
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException(why.contains(file.getParent().toString()) ? why : file + ": " + why, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
