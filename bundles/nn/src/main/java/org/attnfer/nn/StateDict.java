package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.attnfer.nn.io.Tensor;

/**
 * PyTorch-style state dicts of block trees: every parameter and buffer under its dotted key
 * ({@code layer1.0.bn1.running_mean}).
 *
 * <p>Children of {@link Module}s carry their reference names; children of DJL's own blocks carry
 * DJL's names without their order prefix, and DJL's BatchNorm parameter names are mapped to
 * PyTorch's.
 */
public final class StateDict {

    private static final Map<String, String> DJL_NAMES =
            Map.of("gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private static final AtomicLong CHANGES = new AtomicLong();

    private StateDict() {}

    /**
     * How many times parameter values have been changed in place in this JVM: by {@link #load},
     * by the trainer's optimiser, by BatchNorm's running statistics in training forwards. Layers
     * that keep a derived copy of their weights (prepacked inference convolutions) rebuild it when
     * this count moves. Code that writes parameter values in place any other way calls {@link
     * #changed}.
     */
    public static long changes() {
        return CHANGES.get();
    }

    /** Records an in-place change of parameter values (see {@link #changes}). */
    public static void changed() {
        CHANGES.incrementAndGet();
    }

    /** Every block of the tree by its dotted path; the root is {@code ""}. */
    public static Map<String, Block> blocks(Block root) {
        Map<String, Block> out = new LinkedHashMap<>();
        walk("", root, out);
        return out;
    }

    /** Every parameter and buffer by state-dict key. */
    public static Map<String, Parameter> parameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        blocks(root)
                .forEach((path, block) -> block.getDirectParameters().forEach(p -> {
                    String name = DJL_NAMES.getOrDefault(p.getKey(), p.getKey());
                    out.put(path.isEmpty() ? name : path + "." + name, p.getValue());
                }));
        return out;
    }

    /** The number of trainable values (running statistics excluded). */
    public static long trainableCount(Block root) {
        long n = 0;
        for (Parameter p : parameters(root).values()) {
            if (p.requiresGradient()) {
                n += p.getShape().size();
            }
        }
        return n;
    }

    /** The current values of an initialised tree. */
    public static Map<String, Tensor> export(Block root) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters(root).forEach((key, p) -> out.put(key, Tensor.of(p.getArray())));
        return out;
    }

    /**
     * Copies tensors into an initialised tree by key. Every key is checked; nothing is skipped in
     * silence: the report lists missing keys, unexpected keys and shape mismatches. Keys that end in
     * {@code num_batches_tracked} are ignored, as in the reference.
     *
     * @param root the tree
     * @param tensors the values by key
     * @param strict whether any missing, unexpected or mismatched key is an error
     * @return what was loaded and what was not
     * @throws IllegalArgumentException in strict mode, when the report is not clean; the message
     *     lists the offending keys
     */
    public static LoadReport load(Block root, Map<String, Tensor> tensors, boolean strict) {
        Map<String, Parameter> params = parameters(root);
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            long[] expected = e.getValue().getShape().getShape();
            if (!Arrays.equals(expected, t.shape())) {
                mismatched.add(e.getKey() + " " + Arrays.toString(t.shape()) + " ≠ " + Arrays.toString(expected));
                continue;
            }
            loaded.add(e.getKey());
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : tensors.keySet()) {
            if (!params.containsKey(key) && !key.endsWith("num_batches_tracked")) {
                unexpected.add(key);
            }
        }
        LoadReport report = new LoadReport(loaded, missing, unexpected, mismatched);
        if (strict && !report.clean()) {
            throw new IllegalArgumentException(report.describe());
        }
        for (String key : loaded) {
            NDArray array = params.get(key).getArray();
            // an indexed assignment: set(Buffer) makes libtorch print a deprecation warning
            try (NDArray values = array.getManager().create(tensors.get(key).data(), array.getShape())) {
                array.set(new NDIndex("..."), values);
            }
        }
        changed();
        return report;
    }

    private static void walk(String path, Block block, Map<String, Block> out) {
        out.put(path, block);
        if (block instanceof Module m) {
            m.namedChildren().forEach((name, child) -> walk(join(path, name), child, out));
        } else {
            for (Pair<String, Block> p : block.getChildren()) {
                walk(join(path, p.getKey().replaceFirst("^\\d\\d", "")), p.getValue(), out);
            }
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
