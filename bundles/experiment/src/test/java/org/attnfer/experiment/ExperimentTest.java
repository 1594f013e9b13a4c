package org.attnfer.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.attnfer.attention.ca.internal.ChannelAttentionModule;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.composer.Composer;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.data.TestViews;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.testkit.Checkpoints;
import org.attnfer.testkit.Fixtures;
import org.attnfer.train.FineTuning;
import org.attnfer.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {

    @TempDir
    Path dir;

    static final Composer COMPOSER = new Composer(ModuleRegistry.of(
            List.of(new SimAmModule(), new ChannelAttentionModule()), List.of(), List.of(new ResNetBackbone())));

    private static ExperimentRunner runner(Experiment e) {
        return new ExperimentRunner(
                COMPOSER,
                () -> List.of(new ImageFolderProvider()),
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false),
                e);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("exp.yaml"), yaml);
    }

    private static final String GOOD = """
            name: tiny
            dataset:
              type: image-folder
              path: data
            validation: 0.25
            input: {size: 16, channels: 1}
            variants:
              - name: R18+SimAM
                model: {backbone: resnet18, stem: small, width: 0.5, modules: [simam]}
              - name: R18+CA
                model: resnet18+ca(reduction=8)
            seeds: [3]
            training: {epochs: 1, batch_size: 8, lr: 0.01}
            """;

    @Test
    void readsAFileWithDefaults() throws IOException {
        Experiment e = ExperimentReader.read(write(GOOD), List.of(), dir);
        assertThat(e.name()).isEqualTo("tiny");
        assertThat(e.variants()).extracting(Variant::name).containsExactly("R18+SimAM", "R18+CA");
        assertThat(e.variants().get(1).model().shorthand()).isEqualTo("resnet18+ca(reduction=8)");
        assertThat(e.variants()).extracting(v -> v.model().width()).containsExactly(0.5, 1.0);
        assertThat(e.training().momentum()).isEqualTo(0.9);
        assertThat(e.training().augmentation().active()).isFalse();
        assertThat(e.test()).isNull();
        assertThat(e.output()).isEqualTo(dir.resolve("runs/tiny"));
        Experiment o = ExperimentReader.read(
                write(GOOD), List.of("training.epochs=4", "seeds=[1, 2]", "dataset.path=elsewhere"), dir);
        assertThat(o.training().epochs()).isEqualTo(4);
        assertThat(o.seeds()).containsExactly(1L, 2L);
        assertThat(o.dataset().options()).containsEntry("path", "elsewhere");
    }

    @Test
    void aliasesAndMergeKeysExpandAndDuplicatesNaNAndTagsAreRefusedAtTheirLine() throws IOException {
        Experiment aliased = ExperimentReader.read(
                write(GOOD.replace(
                        "dataset:\n  type: image-folder\n  path: data\n",
                        "dataset: &ds\n  type: image-folder\n  path: data\ntest: {<<: *ds, path: other}\n")),
                List.of(),
                dir);
        assertThat(aliased.test().options()).containsEntry("path", "other");
        assertThat(aliased.test().type()).isEqualTo("image-folder");
        Path twice = write(GOOD.replace("seeds: [3]", "seeds: [3]\nvalidation: 0.3"));
        assertThatThrownBy(() -> ExperimentReader.read(twice, List.of(), dir))
                .hasMessage(twice + ":13: key 'validation' is given twice (lines 5 and 13); keep one");
        Path nan = write(GOOD.replace("lr: 0.01", "lr: .nan"));
        assertThatThrownBy(() -> ExperimentReader.read(nan, List.of(), dir))
                .hasMessage(nan + ":13: .nan is not a finite number; give a number such as 0.01");
        Path inf = write(GOOD.replace("validation: 0.25", "validation: -.inf"));
        assertThatThrownBy(() -> ExperimentReader.read(inf, List.of(), dir)).hasMessageStartingWith(inf + ":5: ");
        for (String bad : List.of("NaN", "Infinity", "-Infinity", "1e999")) {
            assertThatThrownBy(() -> ExperimentReader.read(write(GOOD), List.of("training.lr=" + bad), dir))
                    .as(bad)
                    .hasMessageContaining("--set training.lr=" + bad + ": training: lr must be a finite number");
        }
        assertThatThrownBy(() -> ExperimentReader.read(write(GOOD), List.of("training.lr=.nan"), dir))
                .hasMessage("--set training.lr=.nan: .nan is not a finite number; give a number such as 0.01");
        Path tag = write(GOOD.replace("name: tiny", "name: !!python/object/apply:os.system [ls]"));
        assertThatThrownBy(() -> ExperimentReader.read(tag, List.of(), dir))
                .hasMessageStartingWith(tag + ":1: not valid YAML: Global tag is not allowed");
        Path local = write(GOOD.replace("name: tiny", "name: !secret tiny"));
        assertThatThrownBy(() -> ExperimentReader.read(local, List.of(), dir))
                .hasMessage(
                        local + ":1: the YAML tag !secret is not supported (plain values, lists and mappings only)");
    }

    @Test
    void fineTuningControlsAreReadAndCheckedAtTheirLine() throws IOException {
        Experiment e = ExperimentReader.read(
                write(GOOD.replace(
                        "lr: 0.01}",
                        "lr: 0.01, freeze: {modules: [stem, layer1], epochs: 5}, lr_mult: {backbone: 0.1}}")),
                List.of(),
                dir);
        assertThat(e.training().fineTuning()).isEqualTo(new FineTuning(List.of("stem", "layer1"), 5, 0.1, 1, 1));
        assertThat(ExperimentReader.read(write(GOOD), List.of(), dir).training().fineTuning())
                .isEqualTo(FineTuning.NONE);
        Path bad = write(GOOD.replace("lr: 0.01}", "lr: 0.01, lr_mult: {neck: 2}}"));
        assertThatThrownBy(() -> ExperimentReader.read(bad, List.of(), dir))
                .hasMessageStartingWith(bad + ":13: ")
                .hasMessageContaining("neck");
        Path negative = write(GOOD.replace("lr: 0.01}", "lr: 0.01, lr_mult: {head: -1}}"));
        assertThatThrownBy(() -> ExperimentReader.read(negative, List.of(), dir))
                .hasMessageContaining("head");
    }

    @Test
    void problemsNameFileLineAndKey() throws IOException {
        Path f = write(GOOD.replace("training: {epochs: 1,", "training: {epochs: 0,"));
        assertThatThrownBy(() -> ExperimentReader.read(f, List.of(), dir))
                .hasMessage(f + ":13: training: epochs must be ≥ 1 and ≤ 100000, got 0");
        Path g = write(GOOD.replace("validation: 0.25", "validaton: 0.25"));
        assertThatThrownBy(() -> ExperimentReader.read(g, List.of(), dir))
                .hasMessageStartingWith(
                        g + ":5: validaton: unknown key (known here: augment, dataset, input, name, output,");
        Path h = write(GOOD.replace("training: {epochs: 1, batch_size: 8", "training: {epochs: 1, batch_size: eight"));
        assertThatThrownBy(() -> ExperimentReader.read(h, List.of(), dir))
                .hasMessage(h + ":13: training: batch_size must be an integer, got 'eight'");
        Path i = write(GOOD.replace("model: resnet18+ca(reduction=8)", "model: resnet18+ca(reduction=)"));
        assertThatThrownBy(() -> ExperimentReader.read(i, List.of(), dir))
                .hasMessageStartingWith(
                        i + ":11: variants[1].model: model 'resnet18+ca(reduction=)': expected a value");
        assertThatThrownBy(() -> ExperimentReader.read(write(GOOD), List.of("training.lr=-1"), dir))
                .hasMessage("--set training.lr=-1: training: lr must be > 0 and ≤ 1000, got -1");
        Path z = write(GOOD.replace("training: {epochs: 1,", "training: {tta_zoom: 0.1, epochs: 1,"));
        assertThatThrownBy(() -> ExperimentReader.read(z, List.of(), dir))
                .hasMessage(z + ":13: training: tta_zoom (0.1) needs tta: true");
        assertThatThrownBy(() -> ExperimentReader.read(write(GOOD), List.of("training.lrate=1"), dir))
                .hasMessageStartingWith(
                        "--set training.lrate=1: training: unknown parameter 'lrate' (known: batch_size, "
                                + "class_weights,");
        assertThatThrownBy(() -> ExperimentReader.read(write(GOOD), List.of("augment={flip: maybe}"), dir))
                .hasMessage("--set augment={flip: maybe}: augment: flip must be a boolean, got 'maybe'");
        Path j = write("name: x\nvariants: [{model: resnet18}]\n");
        assertThatThrownBy(() -> ExperimentReader.read(j, List.of(), dir))
                .hasMessage(j + ":1: missing required key 'dataset'");
        Path w = write(GOOD.replace("width: 0.5", "width: 0"));
        assertThatThrownBy(() -> ExperimentReader.read(w, List.of(), dir))
                .hasMessage(w + ":9: variants[0].model.width: must be > 0 and ≤ 16, got 0");
        Path k = write("name: [unclosed\n");
        assertThatThrownBy(() -> ExperimentReader.read(k, List.of(), dir))
                .hasMessage(k
                        + ":2: not valid YAML: expected ',' or ']', but got <stream end> (while parsing a flow"
                        + " sequence that starts at line 1)");
    }

    private static final String SWEEP = """
            sweep:
              training.lr: [0.5, 0.05]
              augment.erase: [0, 0.25]
            """;

    @Test
    void aSweepRunsEveryVariantWithEveryCombinationOfItsSettings() throws IOException {
        Experiment e = ExperimentReader.read(write(GOOD + SWEEP), List.of("training.epochs=2"), dir);
        assertThat(e.variants())
                .extracting(Variant::name)
                .containsExactly(
                        "R18+SimAM lr=0.5 augment.erase=0", "R18+SimAM lr=0.5 augment.erase=0.25",
                        "R18+SimAM lr=0.05 augment.erase=0", "R18+SimAM lr=0.05 augment.erase=0.25",
                        "R18+CA lr=0.5 augment.erase=0", "R18+CA lr=0.5 augment.erase=0.25",
                        "R18+CA lr=0.05 augment.erase=0", "R18+CA lr=0.05 augment.erase=0.25");
        Variant v = e.variants().get(3);
        assertThat(v.settings()).containsExactly(Map.entry("training.lr", "0.05"), Map.entry("augment.erase", "0.25"));
        assertThat(v.training().lr()).isEqualTo(0.05);
        assertThat(v.training().augmentation().erase()).isEqualTo(0.25);
        // the other settings, and --set, still apply to every variant
        assertThat(v.training().epochs()).isEqualTo(2);
        assertThat(v.training().batchSize()).isEqualTo(8);
        assertThat(e.variants().get(0).training().augmentation().erase()).isZero();
        assertThat(e.training().lr()).isEqualTo(0.01);
        assertThat(v.folder()).isEqualTo("R18+SimAM_lr=0.05_augment.erase=0.25");
        assertThat(ExperimentReader.read(write(GOOD), List.of(), dir)
                        .variants()
                        .get(0)
                        .settings())
                .isEmpty();
    }

    @Test
    void eachSweptRunTrainsWithItsOwnSettings() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(
                write(GOOD + "sweep:\n  training.lr: [0.5, 0.05]\n"),
                List.of("variants=[{name: R18, model: resnet18}]"),
                dir);
        assertThat(runner(e)
                        .run(
                                runner(e).plan(),
                                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasSize(2);
        assertThat(dir.resolve("runs/tiny/R18_lr=0.05/seed-3/spec.resolved.yaml"))
                .content()
                .contains("lr: 0.05");
        assertThat(dir.resolve("runs/tiny/R18_lr=0.5/seed-3/spec.resolved.yaml"))
                .content()
                .contains("lr: 0.5");
        JsonNode models = ExperimentRunner.JSON
                .readTree(dir.resolve("runs/tiny/experiment.json").toFile())
                .path("models");
        assertThat(models.get(1).path("settings").path("training.lr").asText()).isEqualTo("0.05");
    }

    @Test
    void badSweepsNameTheirLine() throws IOException {
        Path f = write(GOOD + "sweep:\n  input.size: [32, 48]\n");
        assertThatThrownBy(() -> ExperimentReader.read(f, List.of(), dir))
                .hasMessage(f
                        + ":15: sweep.input.size: only training.* and augment.* settings can be swept (the "
                        + "data and the grid are the same for every variant)");
        Path g = write(GOOD + "sweep:\n  training.lr: [0.1, -1]\n");
        assertThatThrownBy(() -> ExperimentReader.read(g, List.of(), dir))
                .hasMessage(g + ":15: sweep training.lr=-1: training: lr must be > 0 and ≤ 1000, got -1");
        Path h = write(GOOD + "sweep:\n  training.lr: [0.1, 0.1]\n");
        assertThatThrownBy(() -> ExperimentReader.read(h, List.of(), dir))
                .hasMessage(h + ":15: sweep.training.lr: must list distinct values");
        Path i = write(GOOD + "sweep:\n  training.lr: 0.1\n");
        assertThatThrownBy(() -> ExperimentReader.read(i, List.of(), dir))
                .hasMessage(i + ":15: sweep.training.lr: must be a list");
        Path j = write(GOOD + "tables: [{variants: [R18+CA]}]\n" + SWEEP);
        assertThatThrownBy(() -> ExperimentReader.read(j, List.of(), dir))
                .hasMessageContaining("no variant is named 'R18+CA' (variants: R18+CA lr=0.05 augment.erase=0, ");
    }

    @Test
    void unknownModulesAndDatasetsFailBeforeTraining() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e =
                ExperimentReader.read(write(GOOD.replace("resnet18+ca(reduction=8)", "resnet18+eca")), List.of(), dir);
        assertThatThrownBy(() -> runner(e).plan())
                .hasMessageStartingWith(
                        dir.resolve("exp.yaml") + ":11: variant 'R18+CA': model 'resnet18+eca': unknown module 'eca'");
        Experiment f =
                ExperimentReader.read(write(GOOD.replace("type: image-folder", "type: pictures")), List.of(), dir);
        assertThatThrownBy(() -> runner(f).plan())
                .hasMessageContaining(":3: dataset.type: unknown dataset kind 'pictures' (known: image-folder)");
        Experiment g = ExperimentReader.read(write(GOOD), List.of("dataset.path=nowhere"), dir);
        assertThatThrownBy(() -> runner(g).plan()).hasMessageContaining("nowhere does not exist");
    }

    /** A plug-in built from DJL's own layers: their parameter shapes are known only after initialisation. */
    static final class LazyShapes implements AttentionModule {
        @Override
        public ModuleInfo info() {
            return new ModuleInfo("lazy", "Lazy", "none", "stage_end", List.of(), List.of());
        }

        @Override
        public Block create(int channels, Params params, Site site) {
            return Conv2d.builder()
                    .setKernelShape(new Shape(1, 1))
                    .setFilters(channels)
                    .build();
        }
    }

    @Test
    void aModuleWhoseShapesFollowTheInputIsCountedAndTrains() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Composer composer =
                new Composer(ModuleRegistry.of(List.of(new LazyShapes()), List.of(), List.of(new ResNetBackbone())));
        Experiment e = ExperimentReader.read(
                write(GOOD.replace("{backbone: resnet18, stem: small, width: 0.5, modules: [simam]}", "resnet18+lazy")
                        .replace("resnet18+ca(reduction=8)", "resnet18")),
                List.of(),
                dir);
        ExperimentRunner runner = new ExperimentRunner(
                composer,
                () -> List.of(new ImageFolderProvider()),
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false),
                e);
        Plan plan = runner.plan();
        // four 1×1 convolutions with bias after the stages: 64·65 + 128·129 + 256·257 + 512·513
        assertThat(plan.parameters().get(0) - plan.parameters().get(1))
                .isEqualTo(64 * 65 + 128 * 129 + 256 * 257 + 512 * 513);
        assertThat(runner.run(plan, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasSize(2)
                .noneMatch(RunResult::skipped);
    }

    @Test
    void aVariantStartsFromAPyTorchCheckpointOfThePlainBackboneAndRecordsWhatLoaded() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 32, 1);
        Path ckpt = Checkpoints.unpack(dir.resolve("ckpt"));
        String init = "init: {weights: ckpt/resnet18-narrow-wrapped.pth, skip: [\"fc.*\"]}";
        Path f = write(GOOD.replace("input: {size: 16, channels: 1}", "input: {size: 32, channels: 1}")
                .replace(
                        "{backbone: resnet18, stem: small, width: 0.5, modules: [simam]}",
                        "{backbone: resnet18, width: 0.0625, modules: [simam, {id: ca, params: {reduction: 2}}], "
                                + init + "}")
                .replace(
                        "model: resnet18+ca(reduction=8)", "model: {backbone: resnet18, width: 0.0625, " + init + "}"));
        Experiment e = ExperimentReader.read(f, List.of(), dir);
        assertThat(e.variants().get(0).init().weights()).isEqualTo(ckpt.resolve("resnet18-narrow-wrapped.pth"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        runner(e).run(runner(e).plan(), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("init: stripped the prefix 'module.' from every name")
                .contains("init from resnet18-narrow-wrapped.pth: 100 tensors loaded (1 adapted: conv1.weight (3 → 1 "
                        + "channels))");
        JsonNode withModules = ExperimentRunner.JSON.readTree(
                dir.resolve("runs/tiny/R18+SimAM/seed-3/manifest.json").toFile());
        // the backbone's 100 tensors (fc skipped), the CA gates' own 4 per block left new
        assertThat(withModules.path("init").path("loaded").asInt()).isEqualTo(100);
        List<String> fresh = new ArrayList<>();
        withModules.path("init").path("left_new").forEach(n -> fresh.add(n.asText()));
        assertThat(fresh).contains("fc.weight (skipped)", "fc.bias (skipped)");
        assertThat(fresh.stream().filter(n -> n.contains(".ca.") && n.endsWith("(not in the file)")))
                .isNotEmpty();
        assertThat(fresh.stream().filter(n -> !n.contains(".ca.") && !n.startsWith("fc.")))
                .isEmpty();
        Path typo = write(Files.readString(f).replace("skip: [\"fc.*\"]", "prefix: \"backbone.\""));
        Experiment wrong = ExperimentReader.read(typo, List.of("output=runs/typo"), dir);
        assertThatThrownBy(() -> runner(wrong)
                        .run(
                                runner(wrong).plan(),
                                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                                null,
                                1))
                .hasMessageContaining("no tensor of the file matches the model's names")
                .hasMessageContaining("after stripping the prefix 'backbone.'");
        Path missing = write(GOOD.replace(
                "{backbone: resnet18, stem: small, width: 0.5, modules: [simam]}",
                "{backbone: resnet18, init: nowhere.pth}"));
        assertThatThrownBy(() -> ExperimentReader.read(missing, List.of(), dir))
                .hasMessageContaining(":9: ")
                .hasMessageContaining("no weights file");
    }

    @Test
    void runsTheGridIntoCompleteRunFoldersAndSkipsThemNextTime() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 8, 16, 1);
        Experiment e = ExperimentReader.read(write(GOOD), List.of(), dir);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<RunResult> results = runner(e).run(runner(e).plan(), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(results).hasSize(2).noneMatch(RunResult::skipped);
        Path run = dir.resolve("runs/tiny/R18+SimAM/seed-3");
        assertThat(run.resolve("epochs.csv"))
                .content()
                .startsWith("epoch,train_loss")
                .contains("\n1,");
        assertThat(Files.readAllLines(run.resolve("epochs.csv"))).hasSize(2);
        assertThat(run.resolve("predictions.csv")).content().startsWith("index,item,true,predicted,p_happy,p_sad");
        assertThat(Files.readAllLines(run.resolve("predictions.csv"))).hasSize(1 + 4);
        JsonNode metrics =
                ExperimentRunner.JSON.readTree(run.resolve("metrics.json").toFile());
        assertThat(metrics.path("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.path("confusion").size()).isEqualTo(2);
        JsonNode manifest =
                ExperimentRunner.JSON.readTree(run.resolve("manifest.json").toFile());
        assertThat(manifest.path("status").asText()).isEqualTo("complete");
        assertThat(manifest.path("seed").asLong()).isEqualTo(3);
        assertThat(run.resolve("spec.resolved.yaml"))
                .content()
                .contains(
                        "model: \"resnet18+simam(lambda=1.0E-4)@bottleneck.after_bn3[1,2,3,4]\"",
                        "stem: \"small\"",
                        "width: 0.5");
        // the run folder rebuilds its network at the trained width and loads its weights strictly
        try (Model reloaded = TrainedRun.read(run).load(COMPOSER)) {
            assertThat(StateDict.parameters(reloaded.getBlock())
                            .get("conv1.weight")
                            .getShape()
                            .get(0))
                    .isEqualTo(32);
        }
        assertThat(TensorFiles.read(run.resolve(ExperimentRunner.MODEL_FILE)))
                .containsKeys("conv1.weight", "layer4.1.bn2.running_var", "fc.bias");
        assertThat(metrics.path("evaluated_on").asText()).isEqualTo("validation");
        assertThat(metrics.path("best_epoch").asInt()).isEqualTo(1);
        assertThat(dir.resolve("runs/tiny/R18+SimAM")).isDirectoryNotContaining("glob:**.partial");
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("R18+CA", "VAL ACC", "== R18+SimAM (resnet18+simam, small stem, width 0.5, ");
        assertThat(manifest.path("width").asDouble()).isEqualTo(0.5);
        // a report names the model with its stem and width, not as the plain resnet18+simam it would rebuild
        assertThat(manifest.path("description").asText())
                .isEqualTo("resnet18+simam(lambda=1.0E-4)@bottleneck.after_bn3[1,2,3,4], small stem, width 0.5");
        JsonNode models = ExperimentRunner.JSON
                .readTree(dir.resolve("runs/tiny/experiment.json").toFile())
                .path("models");
        assertThat(models.get(0).path("description").asText()).isEqualTo("resnet18+simam, small stem, width 0.5");

        List<RunResult> again = runner(e)
                .run(runner(e).plan(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(again).allMatch(RunResult::skipped);
        assertThat(again.get(0).accuracy()).isEqualTo(results.get(0).accuracy());
    }

    @Test
    void aResizedInputTrainsOnWindowsAndItsRunRemembersTheResize() throws IOException {
        assertThat(ExperimentReader.read(write(GOOD), List.of(), dir).input()).isEqualTo(new InputSpec(1, 16, 16));
        Path f = write(GOOD.replace("input: {size: 16, channels: 1}", "input: {size: 16, channels: 1, resize: 12}"));
        assertThatThrownBy(() -> ExperimentReader.read(f, List.of(), dir))
                .hasMessage(f + ":6: input.resize: must be between 16 and 1024, got 12");
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(
                write(GOOD),
                List.of(
                        "input={size: 16, channels: 1, resize: 20}",
                        "variants=[{name: R18, model: resnet18}]",
                        "augment=true",
                        "training.tta=true",
                        "training.tta_zoom=0.1"),
                dir);
        assertThat(runner(e)
                        .run(
                                runner(e).plan(),
                                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasSize(1);
        Path run = dir.resolve("runs/tiny/R18/seed-3");
        assertThat(run.resolve("spec.resolved.yaml")).content().contains("resize: 20");
        assertThat(TrainedRun.read(run).input()).isEqualTo(new InputSpec(1, 16, 20));
        // its final evaluation averaged ten-crop at three scales, and fer evaluate --tta repeats that
        assertThat(TrainedRun.read(run).tta()).isEqualTo(new TestViews(true, 0.1));
        JsonNode metrics =
                ExperimentRunner.JSON.readTree(run.resolve("metrics.json").toFile());
        assertThat(metrics.path("tta").asBoolean()).isTrue();
        assertThat(metrics.path("tta_zoom").asDouble()).isEqualTo(0.1);
    }

    @Test
    void aHeldOutTestSetIsWhereFinalMetricsComeFrom() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 8, 16, 1);
        Fixtures.imageFolder(dir.resolve("heldout"), List.of("happy", "sad"), 5, 16, 9);
        Experiment e = ExperimentReader.read(
                write(GOOD.replace("validation: 0.25", "validation: 0.25\ntest: {type: image-folder, path: heldout}")),
                List.of("variants=[{name: only, model: resnet18}]"),
                dir);
        runner(e).run(runner(e).plan(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path run = dir.resolve("runs/tiny/only/seed-3");
        JsonNode metrics =
                ExperimentRunner.JSON.readTree(run.resolve("metrics.json").toFile());
        assertThat(metrics.path("evaluated_on").asText()).isEqualTo("test");
        assertThat(metrics.path("count").asInt()).isEqualTo(10);
        Experiment bad = ExperimentReader.read(
                write(GOOD.replace("validation: 0.25", "validation: 0.25\ntest: {type: image-folder, path: data}")),
                List.of("dataset.path=heldout"),
                dir);
        assertThat(runner(bad).plan().test()).isNotNull();
    }

    @Test
    void aValidationSetReplacesTheSplitAndSplitByIsChecked() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 6, 16, 1);
        Fixtures.imageFolder(dir.resolve("val"), List.of("happy", "sad"), 2, 16, 4);
        Experiment e = ExperimentReader.read(
                write(GOOD.replace("validation: 0.25", "validation: {type: image-folder, path: val}")), List.of(), dir);
        Plan plan = runner(e).plan();
        assertThat(plan.split().train()).hasSize(12);
        assertThat(plan.split().validation()).hasSize(4);
        assertThat(plan.split().how()).isEqualTo("a separate validation set");
        assertThat(plan.dataset().describe()).contains("validated on image folder " + dir.resolve("val"));
        assertThat(ExperimentReader.read(write(GOOD), List.of(), dir).splitBy()).isEqualTo(Split.By.AUTO);
        Path f = write(GOOD.replace("validation: 0.25", "validation: 0.25\nsplit_by: person"));
        assertThatThrownBy(() -> ExperimentReader.read(f, List.of(), dir))
                .hasMessage(f + ":6: split_by: must be auto, subject or item, got 'person'");
        Experiment bySubject = ExperimentReader.read(write(GOOD), List.of("split_by=subject"), dir);
        assertThatThrownBy(() -> runner(bySubject).plan()).hasMessageContaining("does not know its subjects");
    }

    @Test
    void aCellAnotherProcessTrainsIsLeftToItAndTheRestTrain() throws Exception {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(write(GOOD), List.of(), dir);
        ExperimentRunner runner = runner(e);
        Plan plan = runner.plan();
        assertThat(plan.cells()).extracting(Cell::index).containsExactly(0, 1);
        Cell first = plan.cells().get(0);
        // a lock of a live process on another host, as on a shared folder
        Path lock = CellLock.fileOf(first.dir(e));
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, "host=elsewhere\npid=12345\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<RunResult> results = runner.run(plan, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(results).extracting(RunResult::variant).containsExactly("R18+CA");
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("1 cells are being trained by other processes", "held by elsewhere, process 12345");
        // the one cell asked for alone: a distinct failure, naming the holder
        assertThatThrownBy(() -> runner.runCells(plan, List.of(first), System.out))
                .isInstanceOf(CellLock.HeldException.class)
                .hasMessageContaining("held by elsewhere, process 12345");
        // a lock whose heartbeat is older than the staleness limit is taken over
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        assertThat(runner.runCells(
                        plan,
                        List.of(first),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasSize(1);
        assertThat(lock).doesNotExist();
        assertThat(StudyStatus.read(e.output()).counts())
                .containsEntry(StudyStatus.State.COMPLETE, 2)
                .containsEntry(StudyStatus.State.PENDING, 0);
    }

    @Test
    void aLockOfADeadProcessOnThisHostIsTakenOverAndTwoLiveOnesExcludeEachOther(@TempDir Path runs) throws IOException {
        Path run = runs.resolve("V/seed-0");
        try (CellLock held = CellLock.acquire(run)) {
            assertThatThrownBy(() -> CellLock.acquire(run))
                    .isInstanceOf(CellLock.HeldException.class)
                    .hasMessageContaining(CellLock.host() + ", process "
                            + ProcessHandle.current().pid());
        }
        assertThat(CellLock.fileOf(run)).doesNotExist();
        // a process of this host that no longer exists
        Files.writeString(
                CellLock.fileOf(run),
                "host=" + CellLock.host() + "\npid=" + (ProcessHandle.current().pid() + 1_000_000) + "\n");
        try (CellLock taken = CellLock.acquire(run)) {
            assertThat(CellLock.holder(CellLock.fileOf(run)).orElseThrow().pid())
                    .isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void cellsAreNumberedByVariantThenSeedWhateverTheOrderOfSettings() throws IOException {
        Experiment a = ExperimentReader.read(write(GOOD), List.of("seeds=[5, 6, 7]", "training.epochs=2"), dir);
        Experiment b = ExperimentReader.read(write(GOOD), List.of("training.epochs=2", "seeds=[5, 6, 7]"), dir);
        assertThat(Cell.of(a))
                .extracting(Cell::toString)
                .isEqualTo(Cell.of(b).stream().map(Cell::toString).toList());
        assertThat(Cell.of(a))
                .extracting(Cell::describe)
                .containsExactly(
                        "R18+SimAM seed 5",
                        "R18+SimAM seed 6",
                        "R18+SimAM seed 7",
                        "R18+CA seed 5",
                        "R18+CA seed 6",
                        "R18+CA seed 7");
        assertThat(Cell.of(a).get(4).dir(a)).isEqualTo(a.output().resolve("R18+CA/seed-6"));
    }

    @Test
    void variantsThatWouldShareARunFolderAreRefusedWithBothNames() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(
                write(GOOD),
                List.of("variants=[{name: 'A<1', model: resnet18}, {name: 'A>1', model: resnet18+ca}]"),
                dir);
        assertThatThrownBy(() -> runner(e).plan())
                .isInstanceOf(ExperimentException.class)
                .hasMessageContaining("variants 'A<1' and 'A>1' would share the run folder A_1");
    }

    @Test
    void aRunFolderOfAnotherVariantOrModelIsNeverTakenForThisOne() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(write(GOOD), List.of("variants=[{name: R18, model: resnet18}]"), dir);
        runner(e).run(runner(e).plan(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Experiment changed =
                ExperimentReader.read(write(GOOD), List.of("variants=[{name: R18, model: resnet18+ca}]"), dir);
        assertThatThrownBy(() -> runner(changed)
                        .run(
                                runner(changed).plan(),
                                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasMessageContaining("holds a run of model resnet18, but variant 'R18' is now resnet18+ca");
    }

    @Test
    void aFrozenStudyRunsTheSameExperimentFromAnyWorkingFolder(@TempDir Path elsewhere) throws IOException {
        Path file = write(GOOD);
        Path frozen = dir.resolve("runs/tiny/slurm/study.yaml");
        Experiment e = ExperimentReader.freeze(file, List.of("training.epochs=3", "seeds=[1, 2]"), dir, frozen);
        Experiment again = ExperimentReader.read(frozen, List.of(), elsewhere);
        assertThat(again.output()).isEqualTo(e.output()).isEqualTo(dir.resolve("runs/tiny"));
        assertThat(again.training().epochs()).isEqualTo(3);
        assertThat(again.seeds()).containsExactly(1L, 2L);
        assertThat(again.dataset().options())
                .containsEntry("path", dir.resolve("data").toString());
        assertThat(Cell.of(again)).hasSize(4);
    }

    @Test
    void theStudyFileIsWrittenOnceAndAnEditedStudyWaitsForRunningCells() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Experiment e = ExperimentReader.read(write(GOOD), List.of(), dir);
        ExperimentRunner runner = runner(e);
        runner.writeStudy(runner.plan());
        Path json = e.output().resolve("experiment.json");
        long written = Files.getLastModifiedTime(json).toMillis();
        runner.writeStudy(runner.plan());
        assertThat(Files.getLastModifiedTime(json).toMillis()).isEqualTo(written);
        Experiment edited = ExperimentReader.read(write(GOOD), List.of("seeds=[3, 4]"), dir);
        Path cellDir = Cell.of(e).get(0).dir(e);
        try (CellLock busy = CellLock.acquire(cellDir)) {
            assertThatThrownBy(() -> runner(edited).writeStudy(runner(edited).plan()))
                    .hasMessageContaining("describes another version of this experiment")
                    .hasMessageContaining("is training with it");
        }
        runner(edited).writeStudy(runner(edited).plan());
        assertThat(ExperimentRunner.JSON.readTree(json.toFile()).path("seeds").size())
                .isEqualTo(2);
    }
}
