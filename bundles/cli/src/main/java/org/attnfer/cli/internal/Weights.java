package org.attnfer.cli.internal;

import ai.djl.nn.Block;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.attnfer.nn.LoadReport;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.nn.io.WeightFile;

/** Loading and saving a composed model's weights by their PyTorch names, for the commands. */
final class Weights {

    private Weights() {}

    /**
     * The class count a state dict implies, if it has a head: the rows of the linear weight under
     * {@code fc} (ResNet), {@code classifier} (MobileNetV2, ConvNeXt) or {@code head}.
     */
    static Optional<Integer> classes(Map<String, Tensor> weights) {
        return weights.entrySet().stream()
                .filter(e -> e.getKey().matches("(fc|classifier|head)(\\.\\d+)?\\.weight")
                        && e.getValue().shape().length == 2)
                .map(e -> (int) e.getValue().shape()[0])
                .findFirst();
    }

    /**
     * Loads weights into an initialised block and reports what happened.
     *
     * @param strict whether any missing, unexpected or mismatched key stops the command
     */
    static void load(Block block, WeightFile weightFile, boolean strict, PrintWriter out) {
        Path file = weightFile.file();
        Map<String, Tensor> weights = weightFile.values();
        weightFile.notes().forEach(n -> out.println("Weights " + file + ": " + n));
        LoadReport report;
        try {
            report = StateDict.load(block, weights, strict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + " does not fit the model (use --non-strict to load what fits): " + e.getMessage(), e);
        }
        out.println("Weights " + file + ": " + report.describe());
        nonFinite(weights)
                .ifPresent(w -> out.println(
                        "Warning: " + file + ": " + w + "; every output computed from them will be NaN or infinite"));
    }

    /** Which tensors hold NaN or infinite values, if any: such weights load, but nothing useful comes out. */
    static Optional<String> nonFinite(Map<String, Tensor> weights) {
        List<String> bad = new ArrayList<>();
        long values = 0;
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            long n = 0;
            for (float v : e.getValue().data()) {
                if (!Float.isFinite(v)) {
                    n++;
                }
            }
            if (n > 0) {
                bad.add(e.getKey());
                values += n;
            }
        }
        if (bad.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "%,d NaN or infinite values in %d tensor%s (%s%s)",
                values,
                bad.size(),
                bad.size() == 1 ? "" : "s",
                String.join(", ", bad.subList(0, Math.min(3, bad.size()))),
                bad.size() > 3 ? ", ..." : ""));
    }

    /** Writes the block's weights as {@code .npz} or {@code .safetensors}. */
    static void save(Block block, Path file, PrintWriter out) throws IOException {
        Map<String, Tensor> tensors = StateDict.export(block);
        TensorFiles.write(file, tensors);
        out.println("Saved " + tensors.size() + " tensors to " + file);
    }
}
