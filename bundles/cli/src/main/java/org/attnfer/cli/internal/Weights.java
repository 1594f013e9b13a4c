package org.attnfer.cli.internal;

import ai.djl.nn.Block;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.attnfer.nn.LoadReport;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;

/** Loading and saving a composed model's weights by their PyTorch names, for the commands. */
final class Weights {

    private Weights() {}

    /** The class count a state dict implies ({@code fc.weight [classes, …]}), if it has a head. */
    static Optional<Integer> classes(Map<String, Tensor> weights) {
        Tensor fc = weights.get("fc.weight");
        return fc == null ? Optional.empty() : Optional.of((int) fc.shape()[0]);
    }

    /**
     * Loads weights into an initialised block and reports what happened.
     *
     * @param strict whether any missing, unexpected or mismatched key stops the command
     */
    static void load(Block block, Path file, Map<String, Tensor> weights, boolean strict, PrintWriter out) {
        LoadReport report;
        try {
            report = StateDict.load(block, weights, strict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + " does not fit the model (use --non-strict to load what fits): " + e.getMessage(), e);
        }
        out.println("Weights " + file + ": " + report.describe());
    }

    /** Writes the block's weights as {@code .npz} or {@code .safetensors}. */
    static void save(Block block, Path file, PrintWriter out) throws IOException {
        Map<String, Tensor> tensors = StateDict.export(block);
        TensorFiles.write(file, tensors);
        out.println("Saved " + tensors.size() + " tensors to " + file);
    }
}
