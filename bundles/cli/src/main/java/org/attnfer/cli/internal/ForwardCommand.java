package org.attnfer.cli.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.nn.Taps;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.nn.io.WeightFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer forward}: runs a composed model on a tensor file, for comparisons with PyTorch. */
@Command(
        name = "forward",
        description = {
            "Run a composed model in eval mode on a tensor file and write its output and named features.",
            "With a PyTorch state dict and the same input, the output can be compared with PyTorch's.",
            "Features: stem, the four stage outputs after stage-end modules (layer1 … layer4 for ResNet,",
            "stage1 … stage4 for MobileNetV2 and ConvNeXt), pool, logits."
        })
final class ForwardCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model shorthand, e.g. resnet50+ca.")
    String model;

    @Mixin
    Architecture architecture;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description =
                    "State dict to load (.npz or .safetensors, PyTorch names); without it the weights are freshly "
                            + "initialised from --seed.")
    Path weights;

    @Option(names = "--non-strict", description = "Load the keys that fit and report the rest instead of stopping.")
    boolean nonStrict;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "X.npy",
            description = "Input tensor [N, C, H, W] (.npy, float32).")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "Y.npy",
            description = "Where the logits [N, classes] go (.npy).")
    Path output;

    @Option(
            names = "--features",
            paramLabel = "F.npz",
            description = "Also write the named intermediate features (.npz or .safetensors).")
    Path features;

    @Option(
            names = "--classes",
            converter = Bounds.AtLeastOne.class,
            paramLabel = "N",
            description = "Number of classes (default: from the weights' fc.weight, else 7).")
    Integer classes;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int seed;

    @Spec
    CommandSpec spec;

    private final Composer composer;

    @Inject
    ForwardCommand(Composer composer) {
        this.composer = composer;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!output.getFileName().toString().endsWith(".npy") && !Files.exists(output)) {
            throw new IllegalArgumentException("--output " + output + ": the logits are written as .npy; name it so");
        }
        Tensor x = TensorFiles.readNpy(input);
        if (x.shape().length != 4) {
            throw new IllegalArgumentException(input + ": expected [N, C, H, W], got " + Arrays.toString(x.shape()));
        }
        WeightFile file = weights == null ? null : WeightFile.read(weights);
        Map<String, Tensor> state = file == null ? Map.of() : file.values();
        int n = classes != null ? classes : Weights.classes(state).orElse(7);
        Composition c = composer.compose(architecture.of(model), (int) x.shape()[1], n);
        Map<String, Tensor> captured = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(seed);
            c.block().initialize(manager, DataType.FLOAT32, new Shape(x.shape()));
            if (weights != null) {
                Weights.load(c.block(), file, !nonStrict, out);
            }
            NDArray y = c.block()
                    .forward(
                            new ParameterStore(manager, false),
                            new NDList(x.toArray(manager)),
                            false,
                            Taps.with(new Taps.Listener() {
                                @Override
                                public NDArray atPoint(String name, NDArray value) {
                                    captured.put(name, Tensor.of(value));
                                    return value;
                                }
                            }))
                    .singletonOrThrow();
            TensorFiles.writeNpy(output, Tensor.of(y));
        }
        out.println("Output " + Arrays.toString(captured.get("logits").shape()) + " → " + output);
        if (features != null) {
            TensorFiles.write(features, captured);
            out.println("Features " + String.join(", ", captured.keySet()) + " → " + features);
        }
        return 0;
    }
}
