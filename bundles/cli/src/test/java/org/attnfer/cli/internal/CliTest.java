package org.attnfer.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.attnfer.attention.ca.internal.ChannelAttentionModule;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.composer.ComposerModule;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.experiment.DatasetCatalog;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands on a fixed registry, without OSGi. */
class CliTest {

    @TempDir
    Path dir;

    static final Injector INJECTOR = injector(List::of);

    /** The commands over SimAM, CA and the ResNets, with the given dataset kinds and no OSGi. */
    static Injector injector(DatasetCatalog datasets) {
        return Guice.createInjector(
                new ComposerModule(ModuleRegistry.of(
                        List.of(new SimAmModule(), new ChannelAttentionModule()),
                        List.of(),
                        List.of(new ResNetBackbone()))),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(DatasetCatalog.class).toInstance(datasets);
                        bind(ReportSections.class).toInstance(List::of);
                        bind(Framework.class).toInstance(new Framework() {
                            @Override
                            public List<FeatureState> features() {
                                return List.of();
                            }

                            @Override
                            public Optional<String> property(String key) {
                                return Optional.empty();
                            }
                        });
                    }
                });
    }

    record Result(int code, String out, String err) {}

    static Result fer(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(INJECTOR, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static Tensor input() {
        float[] data = new float[2 * 3 * 40 * 40];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i * 0.37);
        }
        return new Tensor(new long[] {2, 3, 40, 40}, data);
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        for (List<String> command : List.of(
                List.of("run"),
                List.of("bench", "train"),
                List.of("data", "stats"),
                List.of("plugins", "install"),
                List.of("evaluate"))) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Result r = fer(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out())
                    .startsWith("Usage: fer " + String.join(" ", command) + " ")
                    .contains("--help");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void descriptionsAreReflowedIntoParagraphs() {
        assertThat(Cli.reflow(new String[] {"One two.", "Three, e.g. four", "", "five", "  six", "seven"}))
                .containsExactly("One two.", "Three, e.g. four", "", "five", "  six", "seven");
        assertThat(Cli.reflow(new String[] {"One, e.g. two.", "Three", "four."}))
                .containsExactly("One, e.g. two.", "Three four.");
        // no line of a help text ends early because its source line did; the command list shows whole first sentences
        Result demo = fer("demo", "--help");
        assertThat(demo.out())
                .contains("Train and compare the study's variants (its Tables 1-3 and the module\ncomparison) on the "
                        + "embedded synthetic-face benchmark, then write the report and\nprint where it is.\n");
        assertThat(fer("report", "--help").out()).contains("95% intervals");
        assertThat(fer("report", "--help").err()).isEmpty();
        assertThat(fer("--help").out())
                .contains("  demo      Train and compare the study's variants (its Tables 1-3 and the\n              "
                        + "module comparison) on the embedded synthetic-face benchmark, then\n              "
                        + "write the report and print where it is.\n  run ");
    }

    @Test
    void weightsRoundTripThroughNpzAndSafetensorsAndForwardWritesFeatures() throws IOException {
        Path npz = dir.resolve("w.npz");
        Path st = dir.resolve("w.safetensors");
        Path x = dir.resolve("x.npy");
        TensorFiles.writeNpy(x, input());
        assertThat(fer(
                                "inspect",
                                "resnet18+simam+ca",
                                "--input",
                                "3x40x40",
                                "--classes",
                                "5",
                                "--seed",
                                "3",
                                "--save-weights",
                                npz.toString())
                        .code())
                .isZero();
        Result convert = fer(
                "inspect",
                "resnet18+simam+ca",
                "--input",
                "3x40x40",
                "--weights",
                npz.toString(),
                "--save-weights",
                st.toString());
        assertThat(convert.code()).as(convert.err()).isZero();
        assertThat(convert.out()).contains("tensors loaded").contains("5 classes");
        assertThat(TensorFiles.read(st)).isEqualTo(TensorFiles.read(npz));

        Result a = fer(
                "forward",
                "resnet18+simam+ca",
                "--weights",
                npz.toString(),
                "--input",
                x.toString(),
                "--output",
                dir.resolve("a.npy").toString(),
                "--features",
                dir.resolve("f.npz").toString());
        assertThat(a.code()).as(a.err()).isZero();
        // other seed, same weights: the weights decide
        Result b = fer(
                "forward",
                "resnet18+simam+ca",
                "--weights",
                st.toString(),
                "--seed",
                "9",
                "--input",
                x.toString(),
                "--output",
                dir.resolve("b.npy").toString());
        assertThat(b.code()).as(b.err()).isZero();
        Tensor ya = TensorFiles.readNpy(dir.resolve("a.npy"));
        assertThat(ya.shape()).containsExactly(2, 5);
        assertThat(TensorFiles.readNpy(dir.resolve("b.npy"))).isEqualTo(ya);
        Map<String, Tensor> features = TensorFiles.read(dir.resolve("f.npz"));
        assertThat(features.keySet()).containsExactly("stem", "layer1", "layer2", "layer3", "layer4", "pool", "logits");
        assertThat(features.get("logits")).isEqualTo(ya);
        assertThat(features.get("layer4").shape()).containsExactly(2, 512, 2, 2);
    }

    @Test
    void stemAndWidthReachTheModelsOfInspectAndForward() throws IOException {
        Result narrow =
                fer("inspect", "resnet18", "--input", "1x48x48", "--stem", "half", "--width", "0.5", "--depth", "0");
        assertThat(narrow.code()).as(narrow.err()).isZero();
        assertThat(narrow.out()).contains("stem half, width 0.5").contains("2,796,263");
        Path w = dir.resolve("narrow.safetensors");
        assertThat(fer("inspect", "resnet18", "--width", "0.25", "--save-weights", w.toString())
                        .code())
                .isZero();
        Path x = dir.resolve("x.npy");
        TensorFiles.writeNpy(x, input());
        Result forward = fer(
                "forward",
                "resnet18",
                "--width",
                "0.25",
                "--weights",
                w.toString(),
                "--input",
                x.toString(),
                "--output",
                dir.resolve("y.npy").toString(),
                "--features",
                dir.resolve("f.npz").toString());
        assertThat(forward.code()).as(forward.err()).isZero();
        assertThat(TensorFiles.read(dir.resolve("f.npz")).get("layer4").shape()).containsExactly(2, 128, 2, 2);
        // the published width does not take the narrow weights
        assertThat(fer(
                                "forward",
                                "resnet18",
                                "--weights",
                                w.toString(),
                                "--input",
                                x.toString(),
                                "--output",
                                dir.resolve("z.npy").toString())
                        .err())
                .contains("conv1.weight");
        assertThat(fer("inspect", "resnet18", "--width", "0").err())
                .contains(": Invalid value for option '--width': must be a number > 0, got '0'");
    }

    @Test
    void aPlainStateDictLoadsIntoAComposedModelOnlyWhenAskedAndNamesWhatIsMissing() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        assertThat(fer("inspect", "resnet18", "--classes", "7", "--save-weights", plain.toString())
                        .code())
                .isZero();
        Result strict = fer("inspect", "resnet18+ca", "--weights", plain.toString());
        assertThat(strict.code()).isEqualTo(1);
        assertThat(strict.err())
                .contains("does not fit the model (use --non-strict", "missing from the file: layer1.0.ca.fc1.weight");
        Result lenient = fer("inspect", "resnet18+ca", "--weights", plain.toString(), "--non-strict");
        assertThat(lenient.code()).as(lenient.err()).isZero();
        // every backbone tensor of ResNet18 (20 convolutions, 20 BatchNorms × 4, the head) loads; the 8 CA blocks' 4 do
        // not
        assertThat(lenient.out()).contains("102 tensors loaded; 32 missing from the file");
    }

    @Test
    void badInputIsOneClearLine() {
        Result r = fer(
                "forward",
                "resnet18",
                "--input",
                dir.resolve("none.npy").toString(),
                "--output",
                dir.resolve("y.npy").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip())
                .startsWith("fer forward:")
                .contains("none.npy")
                .doesNotContain("\n");
        Result shape = fer("inspect", "resnet18", "--input", "3x48");
        assertThat(shape.code()).isEqualTo(2);
        assertThat(shape.err()).contains("expected CxHxW such as 3x48x48");
        // a nested command's failure is named by its full path
        Result model = fer("bench", "train", "resnet51");
        assertThat(model.code()).isEqualTo(1);
        assertThat(model.err().strip())
                .startsWith("fer bench train: model 'resnet51'")
                .doesNotContain("\n");
    }

    @Test
    void aFileThatIsNoBundleIsRefusedBeforeTheFrameworkTriesIt() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jar"), "not a zip");
        Result notJar = fer("plugins", "install", text.toString());
        assertThat(notJar.code()).isEqualTo(1);
        assertThat(notJar.err().strip()).startsWith("fer plugins install: notes.jar cannot be installed: not a jar");
        Path plain = dir.resolve("plain.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        new JarOutputStream(Files.newOutputStream(plain), manifest).close();
        assertThat(fer("plugins", "install", plain.toString()).err().strip())
                .isEqualTo(
                        "fer plugins install: plain.jar cannot be installed: not an OSGi bundle (its manifest has no "
                                + "Bundle-SymbolicName)");
    }

    @Test
    void sgemmTimesAtLeastThreeProductsAndReportsTheirRate() throws IOException {
        Result r = fer("bench", "sgemm", "--size", "64", "--seconds", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertThat(doc.path("size").asInt()).isEqualTo(64);
        assertThat(doc.path("products").asInt()).isGreaterThanOrEqualTo(3);
        double median = doc.path("seconds_per_product").path("median").asDouble();
        assertThat(doc.path("gflops").asDouble()).isCloseTo(2.0 * 64 * 64 * 64 / median / 1e9, within(1e-9));
    }

    @Test
    void aModelBenchmarkSharesItsRateOfTheGivenOrTheMeasuredBound() throws IOException {
        String[] bench = {
            "bench",
            "infer",
            "resnet18",
            "--input",
            "1x16x16",
            "--warmup",
            "0",
            "--warmup-seconds",
            "0",
            "--steps",
            "1",
            "--json"
        };
        Result given = fer(concat(bench, "--peak-gflops", "50"));
        assertThat(given.code()).as(given.err()).isZero();
        JsonNode g = Json.MAPPER.readTree(given.out());
        assertThat(g.path("sgemm_measured").asBoolean()).isFalse();
        assertThat(g.path("sgemm_gflops").asDouble()).isEqualTo(50);
        assertThat(g.path("share_of_sgemm_bound").asDouble())
                .isCloseTo(g.path("gflops").asDouble() / 50, within(1e-12));
        Result measured = fer(bench);
        assertThat(measured.code()).as(measured.err()).isZero();
        JsonNode m = Json.MAPPER.readTree(measured.out());
        assertThat(m.path("sgemm_measured").asBoolean()).isTrue();
        assertThat(m.path("sgemm_gflops").asDouble()).isPositive();
        assertThat(m.path("share_of_sgemm_bound").asDouble())
                .isCloseTo(m.path("gflops").asDouble() / m.path("sgemm_gflops").asDouble(), within(1e-12));
    }

    @Test
    void aProfiledBenchmarkWritesTheTraceAndNamesTheCostliestOperators() throws IOException {
        String[] bench = {"bench", "infer", "resnet18", "--input", "1x16x16", "--warmup-seconds", "0", "--steps", "1"};
        Path trace = dir.resolve("step.json");
        Result r = fer(concat(bench, "--peak-gflops", "50", "--profile", trace.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        // libtorch's legacy profiler writes the Chrome trace as a bare array of events
        JsonNode events = Json.MAPPER.readTree(trace.toFile());
        assertThat(events.isArray()).isTrue();
        assertThat(events.size()).isPositive();
        assertThat(r.err())
                .contains("operator self time of the median of 3 profiled steps (operator time per step: ")
                .contains("aten::");
        // a folder that does not exist is named at once, not after the measured steps
        Path nowhere = dir.resolve("nowhere").resolve("step.json");
        Result missing = fer(concat(bench, "--profile", nowhere.toString()));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip())
                .startsWith("fer bench infer: ")
                .contains(nowhere.getParent().toString())
                .doesNotContain("\n");
    }

    @Test
    void aTrainingBenchmarkRunsInTheGivenPrecision() throws IOException {
        Result r = fer(
                "bench",
                "train",
                "resnet18",
                "--input",
                "1x16x16",
                "--batch",
                "2",
                "--warmup",
                "0",
                "--warmup-seconds",
                "0",
                "--steps",
                "1",
                "--peak-gflops",
                "50",
                "--precision",
                "bfloat16",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertThat(doc.path("precision").asText()).isEqualTo("bfloat16");
        assertThat(doc.path("images_per_second").asDouble()).isPositive();
        Result wrong = fer("bench", "train", "resnet18", "--precision", "fp16");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err())
                .contains("Invalid value for option '--precision': precision must be float32 or bfloat16, not 'fp16'");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void numbersOutOfRangeStopBeforeTheCommandRuns() {
        Result batch = fer("bench", "train", "resnet18", "--batch", "0");
        assertThat(batch.code()).isEqualTo(2);
        assertThat(batch.err()).contains(": Invalid value for option '--batch': must be ≥ 1, got '0'");
        Result peak = fer("bench", "infer", "resnet18", "--peak-gflops", "NaN");
        assertThat(peak.code()).isEqualTo(2);
        assertThat(peak.err()).contains(": Invalid value for option '--peak-gflops': must be a number > 0, got 'NaN'");
        Result seconds = fer("bench", "infer", "resnet18", "--warmup-seconds", "-1");
        assertThat(seconds.err())
                .contains(": Invalid value for option '--warmup-seconds': must be a number ≥ 0, got '-1'");
        Result depth = fer("inspect", "resnet18", "--depth", "-1");
        assertThat(depth.code()).isEqualTo(2);
        assertThat(depth.err()).contains(": Invalid value for option '--depth': must be ≥ 0, got '-1'");
        assertThat(fer("inspect", "resnet18", "--depth", "0").code()).isZero();
        Result word = fer("inspect", "resnet18", "--classes", "seven");
        assertThat(word.err()).contains(": Invalid value for option '--classes': expected a whole number, got 'seven'");
    }
}
