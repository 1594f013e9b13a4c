package org.attnfer.cli.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.WeightFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer inspect}: a composed model's layers, shapes, parameters and multiply-accumulates. */
@Command(
        name = "inspect",
        description = {
            "Show a composed model's layers, output shapes, parameters and multiply-accumulates.",
            "Layer names are the PyTorch state-dict names; multiply-accumulates are per image, counted by",
            "the rule of the module specification (convolutions, linear maps and attention products)."
        })
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model shorthand, e.g. resnet50+simam+ca.")
    String model;

    @Mixin
    Architecture architecture;

    @Option(
            names = "--input",
            paramLabel = "CxHxW",
            converter = InputShape.class,
            description = "Input shape of one image (default: ${DEFAULT-VALUE}).",
            defaultValue = "3x48x48")
    Shape input;

    @Option(
            names = "--classes",
            converter = Bounds.AtLeastOne.class,
            paramLabel = "N",
            description = "Number of classes (default: ${DEFAULT-VALUE}).",
            defaultValue = "7")
    int classes;

    @Option(
            names = "--depth",
            converter = Bounds.AtLeastZero.class,
            paramLabel = "D",
            description = "Deepest level of the tree to show; 0 shows only the total (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int depth;

    @Option(names = "--json", description = "Print JSON (every layer, whatever --depth says).")
    boolean json;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description = "Load a state dict (.npz or .safetensors, PyTorch names) into the model.")
    Path weights;

    @Option(
            names = "--non-strict",
            description = "With --weights: load the keys that fit and report the rest instead of stopping.")
    boolean nonStrict;

    @Option(
            names = "--save-weights",
            paramLabel = "FILE",
            description = "Write the model's weights (.npz or .safetensors, PyTorch names).")
    Path saveWeights;

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
    InspectCommand(Composer composer) {
        this.composer = composer;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        WeightFile file = weights == null ? null : WeightFile.read(weights);
        Map<String, Tensor> state = file == null ? Map.of() : file.values();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--classes")) {
            classes = Weights.classes(state).orElse(classes);
        }
        Composition c = composer.compose(architecture.of(model), (int) input.get(0), classes);
        List<ModelStats.Layer> layers;
        // the report goes to standard error when standard output carries JSON
        PrintWriter log = json ? spec.commandLine().getErr() : out;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(seed);
            c.block().initialize(manager, DataType.FLOAT32, new Shape(1).addAll(input));
            if (weights != null) {
                Weights.load(c.block(), file, !nonStrict, log);
            }
            layers = ModelStats.trace(c.block(), input);
            if (saveWeights != null) {
                Weights.save(c.block(), saveWeights, log);
            }
        }
        ModelStats.Layer total = layers.get(0);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", c.spec().shorthand());
            doc.put("input", input.getShape());
            doc.put("classes", classes);
            doc.put("params", total.params());
            doc.put("macs", total.macs());
            doc.put("placements", c.placements());
            doc.put(
                    "layers",
                    layers.stream()
                            .map(l -> {
                                Map<String, Object> m = new LinkedHashMap<>();
                                m.put("name", l.path());
                                m.put("type", l.type());
                                m.put(
                                        "output",
                                        l.outputShape() == null
                                                ? null
                                                : l.outputShape().getShape());
                                m.put("params", l.params());
                                m.put("macs", l.macs());
                                return m;
                            })
                            .toList());
            Json.print(out, doc);
            return 0;
        }
        out.println("Model " + model + " (input " + InputShape.format(input) + ", " + classes + " classes, stem "
                + c.backbone().stem()
                + (c.backbone().width() == 1 ? "" : ", width " + c.backbone().width()) + ")");
        c.placements().forEach(p -> out.println("  " + p));
        if (depth > 0) {
            Table table = new Table("LAYER", "TYPE", "OUTPUT", ">PARAMS", ">MACS");
            for (ModelStats.Layer l : layers) {
                if (!l.path().isEmpty() && l.depth() <= depth) {
                    table.row(
                            "  ".repeat(l.depth() - 1) + l.path(),
                            l.type(),
                            l.outputShape() == null ? "-" : InputShape.format(l.outputShape()),
                            Table.count(l.params()),
                            Table.count(l.macs()));
                }
            }
            table.print(out);
        }
        out.println("Total: " + Table.count(total.params()) + " parameters, " + Table.count(total.macs())
                + " multiply-accumulates per image (" + InputShape.format(input) + ")");
        out.flush();
        return 0;
    }
}
