package org.attnfer.experiment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.attnfer.api.Params;
import org.attnfer.composer.ModelNames;
import org.attnfer.composer.ModelSpec;
import org.attnfer.composer.ModuleUse;
import org.attnfer.data.Augmentation;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.train.FineTuning;
import org.attnfer.train.TrainingConfig;

/**
 * Reads experiment files. The format, with defaults:
 *
 * <pre>
 * name: smoke                      # default: the file name
 * dataset:                         # required: a dataset kind and its options
 *   type: image-folder
 *   path: data/train               # relative to this file
 * test: {type: image-folder, path: data/test}   # optional held-out test set
 * validation: 0.2                  # share of the dataset held out for validation, or a dataset
 * split_seed: 0                    # the split is the same for every run
 * split_by: auto                   # subject (no person on both sides), item (stratified), or auto:
 *                                  # by subject when the dataset knows its subjects
 * input: {size: 48, channels: 1}   # resize: 56 trains on random 48-pixel windows of 56-pixel images
 * variants:                        # required; model = shorthand or mapping
 *   - {name: ResNet18+SimAM, model: resnet18+simam}
 *   - name: custom
 *     model: {backbone: resnet18, stem: small, width: 1, modules: [{id: ca, stages: [3, 4], params: {reduction: 8}}]}
 * seeds: [0]
 * sweep:                           # optional: every variant runs with every combination of these
 *   training.lr: [0.01, 0.1]       # settings (training.* and augment.* keys), named after them:
 *   augment.erase: [0, 0.5]        # "ResNet18+SimAM lr=0.01 augment.erase=0.5"
 * training: {epochs: 10, batch_size: 32, optimizer: sgd, lr: 0.01, schedule: cosine, ...}   # see TrainingConfig
 * augment: true                    # or a mapping of Augmentation's options; absent or false: none
 * tables:                          # the report's comparison tables; default: one with every variant
 *   - {name: "Table 1", baseline: ResNet18, variants: [ResNet18, ResNet18+SimAM]}
 * output: runs/smoke               # default runs/NAME, relative to the working directory
 * </pre>
 *
 * Unknown keys, values of the wrong type or out of range are errors that name the file, the line
 * and the key.
 */
public final class ExperimentReader {

    private ExperimentReader() {}

    /**
     * Reads and checks an experiment file.
     *
     * @param file the file
     * @param overrides {@code key.path=value} settings applied over the file
     * @param workingDir where a relative {@code output} goes
     * @throws ExperimentException naming file, line and key
     */
    /**
     * Writes the experiment as it will run, to {@code target}: the overrides applied, relative
     * dataset paths and the output folder made absolute. Every process that reads the copy, on any
     * host that sees the same folders, runs the same experiment, whatever happens to the original
     * file or the working folder meanwhile ({@code fer slurm} freezes a study this way).
     *
     * @return the experiment read back from the copy
     */
    public static Experiment freeze(Path file, List<String> overrides, Path workingDir, Path target)
            throws IOException {
        Experiment e = read(file, overrides, workingDir);
        YamlDoc doc = YamlDoc.read(file);
        overrides.forEach(doc::set);
        ObjectNode root = (ObjectNode) doc.root();
        Path base = file.toAbsolutePath().getParent();
        for (String key : List.of("dataset", "test", "validation")) {
            if (root.get(key) instanceof ObjectNode spec && spec.hasNonNull("path")) {
                spec.put(
                        "path",
                        base.resolve(spec.get("path").asText()).normalize().toString());
            }
        }
        // the frozen copy lives elsewhere: every variant names its starting weights absolutely
        if (root.get("variants") instanceof ArrayNode variants) {
            for (int i = 0; i < variants.size(); i++) {
                if (variants.get(i).get("model") instanceof ObjectNode model && model.has("init")) {
                    if (model.get("init").isTextual()) {
                        model.put(
                                "init",
                                base.resolve(model.get("init").asText())
                                        .normalize()
                                        .toString());
                    } else if (model.get("init") instanceof ObjectNode init && init.hasNonNull("weights")) {
                        init.put(
                                "weights",
                                base.resolve(init.get("weights").asText())
                                        .normalize()
                                        .toString());
                    }
                }
            }
        }
        root.put("name", e.name());
        root.put("output", e.output().toString());
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(
                tmp,
                "# written by AttnFER from " + file.toAbsolutePath()
                        + (overrides.isEmpty() ? "" : " with --set " + String.join(" --set ", overrides)) + "\n"
                        + YamlDoc.YAML.writeValueAsString(root));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return read(target, List.of(), workingDir);
    }

    public static Experiment read(Path file, List<String> overrides, Path workingDir) throws IOException {
        YamlDoc doc = YamlDoc.read(file);
        overrides.forEach(doc::set);
        Node root = Node.root(doc)
                .only(
                        "name",
                        "dataset",
                        "test",
                        "validation",
                        "split_seed",
                        "split_by",
                        "input",
                        "variants",
                        "seeds",
                        "sweep",
                        "training",
                        "augment",
                        "tables",
                        "output");
        String fallbackName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String name = root.text("name", fallbackName);
        if (!name.matches("[A-Za-z0-9._+-]+")) {
            throw root.get("name").error("must be letters, digits and . _ + - only, got '" + name + "'");
        }

        Experiment.DatasetSpec dataset = dataset(root.required("dataset"));
        Experiment.DatasetSpec test = root.get("test").present() ? dataset(root.get("test")) : null;

        Node val = root.get("validation");
        Experiment.DatasetSpec validationSet = val.present() && val.raw().isObject() ? dataset(val) : null;
        double validation = validationSet != null ? 0 : root.number("validation", 0.2, 0, false, 1, true);
        if (validationSet == null && validation == 0) {
            throw val.error("must be > 0: every run is validated");
        }
        long splitSeed = root.integer("split_seed", 0, 0, Long.MAX_VALUE);
        String by = root.text("split_by", "auto");
        if (!List.of("auto", "subject", "item").contains(by)) {
            throw root.get("split_by").error("must be auto, subject or item, got '" + by + "'");
        }
        Split.By splitBy = Split.By.valueOf(by.toUpperCase(Locale.ROOT));

        Node in = root.get("input").only("size", "channels", "resize");
        int channels = (int) in.integer("channels", 1, 1, 3);
        if (channels == 2) {
            throw in.get("channels").error("must be 1 or 3");
        }
        int size = (int) in.integer("size", 48, 8, 1024);
        InputSpec input = new InputSpec(channels, size, (int) in.integer("resize", size, size, 1024));

        List<Long> seeds = new ArrayList<>();
        Node seedNode = root.get("seeds");
        if (!seedNode.present()) {
            seeds.add(0L);
        } else if (seedNode.raw().isArray()) {
            for (Node s : seedNode.items()) {
                seeds.add(s.integer(0, Integer.MAX_VALUE));
            }
        } else {
            seeds.add(seedNode.integer(0, Integer.MAX_VALUE));
        }
        if (seeds.isEmpty() || seeds.size() != new HashSet<>(seeds).size()) {
            throw seedNode.error("must list distinct seeds");
        }

        TrainingConfig training = training(root);
        List<Map<String, String>> sweep = sweep(root.get("sweep"));
        List<TrainingConfig> sweptTraining = new ArrayList<>();
        for (Map<String, String> settings : sweep) {
            sweptTraining.add(
                    settings.isEmpty() ? training : sweptTraining(file, overrides, settings, root.get("sweep")));
        }
        List<Variant> variants = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Node> variantNodes = root.required("variants").items();
        if (variantNodes.isEmpty()) {
            throw root.get("variants").error("lists no variants");
        }
        for (Node v : variantNodes) {
            v.only("name", "model");
            Node model = v.required("model");
            ModelSpec spec = model(model);
            WeightSource init = init(model, file);
            String baseName = v.text("name", spec.shorthand());
            for (int i = 0; i < sweep.size(); i++) {
                Map<String, String> settings = sweep.get(i);
                StringBuilder variantName = new StringBuilder(baseName);
                settings.forEach((key, value) -> variantName
                        .append(' ')
                        .append(key.replaceFirst("^training\\.", ""))
                        .append('=')
                        .append(value));
                if (!names.add(variantName.toString())) {
                    throw v.get("name").error("the variant name '" + variantName + "' is used twice");
                }
                variants.add(
                        new Variant(variantName.toString(), spec, settings, sweptTraining.get(i), model.where(), init));
            }
        }

        Path output = workingDir.resolve(root.text("output", "runs/" + name)).normalize();
        List<Experiment.Table> tables = new ArrayList<>();
        Node tableList = root.get("tables");
        if (tableList.present()) {
            for (Node table : tableList.items()) {
                table.only("name", "baseline", "variants");
                List<String> rows = new ArrayList<>();
                for (Node v : table.required("variants").items()) {
                    if (!names.contains(v.text())) {
                        throw v.error("no variant is named '" + v.text() + "' (variants: "
                                + String.join(", ", names.stream().sorted().toList()) + ")");
                    }
                    rows.add(v.text());
                }
                String baseline = table.text("baseline", rows.isEmpty() ? null : rows.get(0));
                if (baseline == null || !rows.contains(baseline)) {
                    throw table.get("baseline")
                            .error("the baseline '" + baseline + "' must be one of the table's variants ("
                                    + String.join(", ", rows) + ")");
                }
                tables.add(new Experiment.Table(table.text("name", "Table " + (tables.size() + 1)), baseline, rows));
            }
        }
        return new Experiment(
                file,
                name,
                dataset,
                test,
                validation,
                validationSet,
                splitSeed,
                splitBy,
                input,
                variants,
                seeds,
                training,
                output,
                tables);
    }

    private static TrainingConfig training(Node root) {
        Node aug = root.get("augment");
        Augmentation augmentation = Augmentation.NONE;
        if (aug.present() && aug.raw().isBoolean()) {
            augmentation =
                    aug.raw().asBoolean() ? Augmentation.of(Params.defaults(Augmentation.OPTIONS)) : Augmentation.NONE;
        } else if (aug.present()) {
            augmentation = Augmentation.of(aug.params(Augmentation.OPTIONS));
        }
        Node t = root.get("training");
        try {
            return TrainingConfig.of(
                    t.params(TrainingConfig.OPTIONS, Set.of("freeze", "lr_mult")), augmentation, fineTuning(t));
        } catch (ExperimentException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw t.error(e.getMessage());
        }
    }

    /** The combinations of a sweep's values, first key varying slowest; one empty combination without a sweep. */
    private static List<Map<String, String>> sweep(Node sweep) {
        List<Map<String, String>> combinations = List.of(Map.of());
        if (!sweep.present()) {
            return combinations;
        }
        for (String key : sweep.keys()) {
            Node values = sweep.get(key);
            if (!key.matches("(training|augment)\\.[a-z_]+")) {
                throw values.error(
                        "only training.* and augment.* settings can be swept (the data and the grid are the same for "
                                + "every variant)");
            }
            List<Node> items = values.items();
            if (items.isEmpty()
                    || items.stream().map(i -> i.raw().asText()).distinct().count() != items.size()) {
                throw values.error("must list distinct values");
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combinations) {
                for (Node item : items) {
                    if (!item.raw().isValueNode()) {
                        throw item.error("must be a single value, got " + item.raw());
                    }
                    Map<String, String> m = new LinkedHashMap<>(c);
                    m.put(key, item.raw().asText());
                    next.add(m);
                }
            }
            combinations = next;
        }
        return combinations;
    }

    /** {@code freeze: {modules: [stem, layer1], epochs: 5}} and {@code lr_mult: {backbone: 0.1, head: 1, modules: 1}}. */
    private static FineTuning fineTuning(Node training) {
        if (!training.present()) {
            return FineTuning.NONE;
        }
        List<String> parts = new ArrayList<>();
        int epochs = 0;
        Node freeze = training.get("freeze");
        if (freeze.present()) {
            freeze.only("modules", "epochs");
            for (Node p : freeze.required("modules").items()) {
                parts.add(p.text());
            }
            epochs = (int) freeze.integer("epochs", 1, 1, 100_000);
        }
        Node mult = training.get("lr_mult");
        if (mult.present()) {
            mult.only("backbone", "head", "modules");
        }
        return new FineTuning(
                parts,
                epochs,
                mult.number("backbone", 1, 0, false, 100, false),
                mult.number("head", 1, 0, false, 100, false),
                mult.number("modules", 1, 0, false, 100, false));
    }

    /** The training settings with one combination of a sweep applied over the file and its overrides. */
    private static TrainingConfig sweptTraining(
            Path file, List<String> overrides, Map<String, String> settings, Node sweep) throws IOException {
        YamlDoc doc = YamlDoc.read(file);
        overrides.forEach(doc::set);
        settings.forEach(
                (key, value) -> doc.set(key + "=" + value, sweep.get(key).where() + " sweep " + key + "=" + value));
        return training(Node.root(doc));
    }

    private static Experiment.DatasetSpec dataset(Node ds) {
        Map<String, Object> options = ds.plain();
        if (!(options.remove("type") instanceof String type)) {
            throw ds.error("missing required key 'type' (a dataset kind such as image-folder or synthetic-faces)");
        }
        return new Experiment.DatasetSpec(
                type, options, ds.where(), ds.get("type").where());
    }

    /** {@code init: PATH} or {@code init: {weights: PATH, prefix: "module.", skip: ["fc.*"]}}, if given. */
    private static WeightSource init(Node model, Path file) {
        if (!model.raw().isObject() || !model.get("init").present()) {
            return null;
        }
        Node init = model.get("init");
        Node weights = init.raw().isTextual() ? init : init.required("weights");
        String prefix = "";
        List<String> skip = new ArrayList<>();
        if (!init.raw().isTextual()) {
            init.only("weights", "prefix", "skip");
            prefix = init.text("prefix", "");
            Node s = init.get("skip");
            if (s.present()) {
                for (Node p : s.items()) {
                    skip.add(p.text());
                }
            }
        }
        Path path = file.toAbsolutePath().getParent().resolve(weights.text()).normalize();
        if (!Files.isRegularFile(path)) {
            throw weights.error("no weights file " + path + " (AttnFER downloads nothing: put the file there, or give"
                    + " its path relative to the experiment file)");
        }
        return new WeightSource(path, prefix, skip);
    }

    private static ModelSpec model(Node model) {
        if (model.raw().isTextual()) {
            try {
                return ModelNames.parse(model.text());
            } catch (IllegalArgumentException e) {
                throw model.error(e.getMessage());
            }
        }
        model.only("backbone", "stem", "width", "modules", "init");
        List<ModuleUse> modules = new ArrayList<>();
        Node list = model.get("modules");
        if (list.present()) {
            for (Node m : list.items()) {
                if (m.raw().isTextual()) {
                    modules.add(ModuleUse.of(m.text()));
                    continue;
                }
                m.only("id", "hook", "stages", "params");
                List<Integer> stages = new ArrayList<>();
                Node st = m.get("stages");
                if (st.present()) {
                    for (Node s : st.items()) {
                        stages.add((int) s.integer(0, 16));
                    }
                }
                Node params = m.get("params");
                modules.add(new ModuleUse(
                        m.required("id").text(),
                        m.text("hook", null),
                        stages,
                        params.present() ? params.plain() : Map.of()));
            }
        }
        return new ModelSpec(
                model.required("backbone").text(),
                model.text("stem", null),
                modules,
                model.number("width", 1, 0, true, 16, false));
    }
}
