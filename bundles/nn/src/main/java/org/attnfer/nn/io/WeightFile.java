package org.attnfer.nn.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A state dict from any file researchers have: a PyTorch checkpoint ({@code .pth}, {@code .pt}),
 * safetensors, {@code .npz}. A whole training checkpoint ({@code {"state_dict": ...}}, {@code
 * {"model": ...}}) is unwrapped, and a prefix that every name carries ({@code module.}, from
 * DataParallel) is stripped; both are said in {@link #notes()}.
 *
 * @param file where it came from
 * @param tensors the state dict, in file order
 * @param notes what was done to get it, for the user to read
 */
public record WeightFile(Path file, Map<String, StoredTensor> tensors, List<String> notes) {

    /** The entries that whole checkpoints keep their weights under, in the order tried. */
    private static final List<String> WRAPPERS =
            List.of("state_dict", "model_state_dict", "model", "state_dict_ema", "model_ema", "net", "network");

    /** Copies the collections. */
    public WeightFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        notes = List.copyOf(notes);
    }

    /** The float32 values by name. */
    public Map<String, Tensor> values() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.tensor()));
        return out;
    }

    /** The number of values in all tensors. */
    public long count() {
        return tensors.values().stream()
                .mapToLong(t -> t.tensor().data().length)
                .sum();
    }

    /**
     * Reads a file by its extension.
     *
     * @throws IOException naming the file when it is missing, damaged, of an unknown format, or holds no state dict
     */
    public static WeightFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such weights file");
        }
        List<String> notes = new ArrayList<>();
        Map<String, StoredTensor> tensors = switch (extension(file)) {
            case "pth", "pt", "ckpt", "bin" -> unwrap(file, TorchCheckpoint.read(file), "", notes);
            case "safetensors" -> SafeTensors.readStored(file);
            case "npz" -> {
                Map<String, StoredTensor> m = new LinkedHashMap<>();
                Npz.read(file).forEach((k, v) -> m.put(k, new StoredTensor(v, "F32")));
                yield m;
            }
            default ->
                throw new IOException(
                        file + ": unknown weights format (expected .pth, .pt, .safetensors or" + " .npz)");
        };
        return new WeightFile(file, stripCommonPrefix(tensors, notes), notes);
    }

    /** The state dict inside a saved object: the object itself, or the entry a training script wrapped it in. */
    private static Map<String, StoredTensor> unwrap(Path file, Object saved, String path, List<String> notes)
            throws IOException {
        if (!(saved instanceof Map<?, ?> map)) {
            throw new IOException(
                    file + ": the checkpoint" + (path.isEmpty() ? "" : "'s " + path) + " is not a dict of tensors");
        }
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof StoredTensor t) {
                tensors.put(String.valueOf(k), t);
            }
        });
        if (!tensors.isEmpty()) {
            return tensors;
        }
        for (String w : WRAPPERS) {
            if (map.get(w) instanceof Map<?, ?>) {
                notes.add("took the checkpoint's '" + path + w + "' entry");
                return unwrap(file, map.get(w), path + w + ".", notes);
            }
        }
        throw new IOException(file + ": no state dict in the checkpoint (its entries: "
                + String.join(
                        ", ",
                        map.keySet().stream().map(String::valueOf).limit(10).toList()) + ")");
    }

    private static Map<String, StoredTensor> stripCommonPrefix(Map<String, StoredTensor> tensors, List<String> notes) {
        for (String prefix : List.of("module.", "model.", "_orig_mod.")) {
            if (!tensors.isEmpty() && tensors.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
                Map<String, StoredTensor> out = new LinkedHashMap<>();
                tensors.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
                notes.add("stripped the prefix '" + prefix + "' from every name");
                return stripCommonPrefix(out, notes);
            }
        }
        return tensors;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
