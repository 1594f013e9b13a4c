package org.attnfer.experiment;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attnfer.composer.Composer;
import org.attnfer.composer.ModelNames;
import org.attnfer.composer.ModelSpec;
import org.attnfer.data.InputSpec;
import org.attnfer.data.TestViews;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.WeightFile;

/**
 * A finished run folder as a model to use: its composed network with the weights of its best
 * epoch (or of another weights file placed in it: a PyTorch checkpoint, safetensors, .npz), its
 * input layout and its classes.
 *
 * @param dir the run folder
 * @param model the model it trained
 * @param input the network input
 * @param classes the class names, in output order
 * @param tta the test-time views of its final evaluation
 * @param weights the weights file to load: the best epoch's, or the file named instead of the folder
 */
public record TrainedRun(
        Path dir, ModelSpec model, InputSpec input, List<String> classes, TestViews tta, Path weights) {

    /**
     * Reads a run folder, or the folder of a model file in one ({@code .../seed-0/best.safetensors}).
     *
     * @throws IOException naming the folder when it is not a finished run
     */
    public static TrainedRun read(Path runOrModel) throws IOException {
        Path dir = Files.isRegularFile(runOrModel) ? runOrModel.toAbsolutePath().getParent() : runOrModel;
        Path spec = dir.resolve("spec.resolved.yaml");
        Path manifest = dir.resolve("manifest.json");
        Path weights = Files.isRegularFile(runOrModel) ? runOrModel : dir.resolve(ExperimentRunner.MODEL_FILE);
        for (Path p : List.of(spec, manifest, weights)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException(dir + " is not a finished run folder (no " + p.getFileName() + ")");
            }
        }
        JsonNode s = readTree(YamlDoc.YAML, spec);
        ModelSpec parsed = ModelNames.parse(s.path("model").asText());
        ModelSpec model = new ModelSpec(
                parsed.backbone(),
                s.path("stem").asText(null),
                parsed.modules(),
                s.path("width").asDouble(1));
        JsonNode in = s.path("input");
        int size = in.path("size").asInt();
        InputSpec input = new InputSpec(
                in.path("channels").asInt(), size, in.path("resize").asInt(size));
        List<String> classes = new ArrayList<>();
        readTree(ExperimentRunner.JSON, manifest)
                .path("dataset")
                .path("classes")
                .forEach(c -> classes.add(c.asText()));
        // runs before tta_zoom existed stored tta as a boolean
        JsonNode t = s.path("training").path("tta");
        TestViews tta = t.isBoolean()
                ? new TestViews(t.asBoolean(), 0)
                : new TestViews(t.path("crops").asBoolean(), t.path("zoom").asDouble());
        return new TrainedRun(dir, model, input, classes, tta, weights);
    }

    /** A run folder's document, naming the file when it is damaged. */
    private static JsonNode readTree(ObjectMapper mapper, Path file) throws IOException {
        try {
            return mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is damaged ("
                    + e.getOriginalMessage().lines().findFirst().orElse("")
                    + "); train the cell again or restore the file");
        }
    }

    /** Composes the network and loads its trained weights; the caller closes the model. */
    public Model load(Composer composer) throws IOException {
        Model m = Model.newInstance(dir.getFileName().toString());
        try {
            m.setBlock(composer.compose(model, input.channels(), classes.size()).block());
            m.getBlock()
                    .initialize(
                            m.getNDManager(),
                            DataType.FLOAT32,
                            new Shape(1, input.channels(), input.size(), input.size()));
            StateDict.load(m.getBlock(), WeightFile.read(weights).values(), true);
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }
}
