package org.attnfer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attnfer.nn.io.SafeTensors;
import org.attnfer.nn.io.Tensor;

/**
 * A training checkpoint in one {@code .safetensors} file: the model under {@code model/NAME}, the
 * optimiser under {@code optimizer/NAME}, the weights' moving average (if any) under {@code
 * average/NAME}, self-distillation's targets (if any) under {@code targets/NAME}, and the
 * trainer's state as text metadata. Written under a temporary name and
 * renamed, so a crash leaves the previous checkpoint intact.
 *
 * @param model the model's state dict
 * @param optimizer the optimiser's state
 * @param average the moving average of the weights, empty without one
 * @param targets self-distillation's memory of predictions, empty without it
 * @param meta the trainer's state
 */
record Checkpoint(
        Map<String, Tensor> model,
        Map<String, Tensor> optimizer,
        Map<String, Tensor> average,
        Map<String, Tensor> targets,
        Map<String, String> meta) {

    private static final List<String> GROUPS = List.of("model/", "optimizer/", "average/", "targets/");

    void write(Path file) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        List<Map<String, Tensor>> groups = List.of(model, optimizer, average, targets);
        for (int g = 0; g < GROUPS.size(); g++) {
            String prefix = GROUPS.get(g);
            groups.get(g).forEach((k, v) -> all.put(prefix + k, v));
        }
        atomically(file, tmp -> SafeTensors.write(tmp, all, meta));
    }

    static Checkpoint read(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> all = SafeTensors.readWithMetadata(file, meta);
        List<Map<String, Tensor>> groups = GROUPS.stream()
                .<Map<String, Tensor>>map(g -> new LinkedHashMap<>())
                .toList();
        all.forEach((k, v) -> {
            for (int g = 0; g < GROUPS.size(); g++) {
                if (k.startsWith(GROUPS.get(g))) {
                    groups.get(g).put(k.substring(GROUPS.get(g).length()), v);
                }
            }
        });
        return new Checkpoint(groups.get(0), groups.get(1), groups.get(2), groups.get(3), meta);
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
