package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real distribution (Felix with the built bundle jars) and drives it as a user does: the
 * launcher in this JVM for most checks, the {@code bin/fer} script in a new process for the smoke
 * run.
 */
class DistributionIT {

    static final Path DIST =
            Path.of(System.getProperty("attnfer.dist", "target/fer")).toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The output and error text and exit code of one in-process command. */
    record Result(int code, String out, String err) {}

    static synchronized Result fer(Path home, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
            System.setErr(errors);
            int code = new Launcher(home, errors).run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void modulesAreServedByTheirOwnBundles() throws IOException {
        Result r = fer(DIST, "modules", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode modules = JSON.readTree(r.out()).path("modules");
        assertThat(modules.findValuesAsText("id")).contains("simam", "ca");
        for (JsonNode m : modules) {
            String expected = m.path("kind").asText().equals("sampling")
                    ? "org.attnfer.sampling-sc"
                    : "org.attnfer.attention-" + m.path("id").asText();
            assertThat(m.path("bundle").asText()).as(m.path("id").asText()).isEqualTo(expected);
        }
    }

    @Test
    void composesWithBothBundlesModulesAndRunsForward() throws IOException {
        Result plain = fer(DIST, "inspect", "resnet50", "--json");
        assertThat(JSON.readTree(plain.out()).path("params").asLong()).isEqualTo(23_522_375L);
        Result ca = fer(DIST, "inspect", "resnet50+ca", "--json");
        assertThat(JSON.readTree(ca.out()).path("params").asLong()).isEqualTo(26_053_367L);
        // composing initialises the network by a forward pass; tracing runs a second one
        Result both = fer(DIST, "inspect", "resnet18+simam+ca", "--input", "1x40x40", "--json");
        assertThat(both.code()).as(both.err()).isZero();
        JsonNode doc = JSON.readTree(both.out());
        assertThat(doc.path("layers").get(0).path("output").toString()).isEqualTo("[1,7]");
        assertThat(doc.path("placements").toString())
                .contains("simam at bottleneck.after_bn3", "ca at bottleneck.after_bn3");
    }

    @Test
    void featuresListTheirBundles() {
        Result r = fer(DIST, "features");
        assertThat(r.out()).contains("core:", "paper:", "org.attnfer.attention-ca", "[active]");
    }

    @Test
    void aRemovedModuleBundleIsNamedWhenAnExperimentNeedsIt() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("dist"));
        for (String d : List.of("lib", "conf", "features", "plugins")) {
            Files.createSymbolicLink(home.resolve(d), DIST.resolve(d));
        }
        Path bundles = Files.createDirectories(home.resolve("bundles"));
        try (Stream<Path> jars = Files.list(DIST.resolve("bundles"))) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().startsWith("attention-ca"))
                    .toList()) {
                Files.createSymbolicLink(bundles.resolve(jar.getFileName()), jar);
            }
        }
        Path data = Fixtures.imageFolder(tmp.resolve("data"), List.of("happy", "sad"), 4, 16, 1);
        Result r;
        try {
            r = fer(
                    home,
                    "run",
                    DIST.resolve("../../../examples/smoke.yaml").normalize().toString(),
                    "--set",
                    "dataset.path=" + data,
                    "--set",
                    "variants=[{name: with-ca, model: resnet18+ca}]",
                    "--dry-run");
        } finally {
            unlinkAll(home);
        }
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .contains("warning: feature 'paper' lists bundle org.attnfer.attention-ca")
                .contains("unknown module 'ca' (known: acmix, bam, coord, eca, sc, se, simam, strided)");
        assertThat(r.err().lines().filter(l -> l.startsWith("fer run:"))).hasSize(1);
    }

    /** Removes the links so that the temporary folder's clean-up never follows them. */
    private static void unlinkAll(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void everyExampleExperimentIsValid() throws IOException {
        Path data = Fixtures.imageFolder(
                tmp.resolve("seven"),
                List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"),
                2,
                16,
                1);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DIST.resolve("../../../examples").normalize())) {
            files = walk.filter(
                            f -> f.toString().endsWith(".yaml") && !f.toString().contains("/target/"))
                    .sorted()
                    .toList();
        }
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .contains("table1.yaml", "table2.yaml", "table3.yaml", "fer2013.yaml", "backbones.yaml");
        for (Path example : files) {
            Path f = example;
            String text = Files.readString(example);
            Matcher weights = Pattern.compile("weights: ([^,}\\s]+)").matcher(text);
            if (weights.find()) {
                // the checkpoint is the user's download: a stand-in beside a copy shows the rest is valid
                Path dir = Files.createDirectories(tmp.resolve("with-weights"));
                f = Files.writeString(dir.resolve(example.getFileName()), text);
                do {
                    Files.writeString(dir.resolve(weights.group(1)), "stand-in");
                } while (weights.find());
            }
            // the embedded benchmark needs no data; the others read a stand-in image folder
            Result r = text.contains("type: synthetic-faces")
                    ? fer(DIST, "run", f.toString(), "--dry-run")
                    : fer(
                            DIST,
                            "run",
                            f.toString(),
                            "--set",
                            "dataset.type=image-folder",
                            "--set",
                            "dataset.path=" + data,
                            "--dry-run");
            assertThat(r.code()).as(f + ": " + r.err()).isZero();
            assertThat(r.out()).contains("is valid");
        }
        Result table2 = fer(
                DIST,
                "run",
                DIST.resolve("../../../examples/paper/table2.yaml").normalize().toString(),
                "--set",
                "dataset.path=" + data,
                "--dry-run");
        assertThat(table2.out()).contains("  BAM: resnet50+bam", "  coord: resnet50+coord", "  simAM: resnet50+simam");
    }

    /** {@code bin/fer ARGS} in a new process with extra environment; the exit code and all output. */
    static Result script(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DIST.resolve("bin/fer").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeAll(List.of("FER_MKL", "FER_CONV", "FER_ROUTES", "LD_PRELOAD"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), output, "");
    }

    private static JsonNode bench(Map<String, String> env) throws Exception {
        Result r = script(
                env,
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
                "--json");
        assertThat(r.code()).as(r.out()).isZero();
        return JSON.readTree(r.out().substring(r.out().indexOf('{')));
    }

    @Test
    void theScriptKeepsMklsShimWhereMeasuredFasterAndForcesRoutesOnRequest() throws Exception {
        Path cache = tmp.resolve("routes");
        Map<String, String> env = Map.of("FER_ROUTES_CACHE", cache.toString());
        JsonNode auto = bench(env);
        // MKL's shim: measured once for this processor, and kept only where it was faster
        boolean built = Files.exists(DIST.resolve("lib/native/libattnfer-mkl-vendor.so"));
        List<Path> decisions;
        try (var files = Files.list(cache)) {
            decisions = files.filter(p -> p.getFileName().toString().startsWith("mkl-shim-"))
                    .toList();
        }
        assertThat(decisions).hasSize(built ? 1 : 0);
        boolean kept = built && Files.readString(decisions.get(0)).startsWith("shim ");
        assertThat(auto.path("mkl_vendor_shim").asBoolean())
                .as("shim mapped into the JVM")
                .isEqualTo(kept);
        assertThat(bench(Map.of("FER_ROUTES_CACHE", cache.toString(), "FER_MKL", "generic"))
                        .path("mkl_vendor_shim")
                        .asBoolean())
                .isFalse();
        // every training shape was measured once, and the next process reads the decisions
        assertThat(auto.path("route_table")).isNotEmpty();
        assertThat(auto.path("route_table").findValuesAsText("reason")).containsOnly("measured");
        assertThat(auto.path("route_table").findValuesAsText("route")).isSubsetOf("onednn", "gemm", "gemm_im2col");
        JsonNode again = bench(env);
        assertThat(again.path("route_table").findValuesAsText("reason")).containsOnly("cached");
        assertThat(again.path("route_table").findValuesAsText("route"))
                .isEqualTo(auto.path("route_table").findValuesAsText("route"));
        // a setting forces the training route
        JsonNode forced = bench(Map.of("FER_ROUTES_CACHE", cache.toString(), "FER_CONV", "gemm"));
        assertThat(forced.path("route_table").findValuesAsText("route")).containsOnly("gemm");
        assertThat(forced.path("route_table").findValuesAsText("reason")).containsOnly("forced");

        Result badConv = script(Map.of("FER_CONV", "fast"), "modules");
        assertThat(badConv.code()).isEqualTo(2);
        assertThat(badConv.out()).isEqualTo("fer: FER_CONV must be auto, onednn, gemm, not 'fast'\n");
        Result badMkl = script(Map.of("FER_MKL", "intel"), "modules");
        assertThat(badMkl.code()).isEqualTo(2);
        assertThat(badMkl.out()).isEqualTo("fer: FER_MKL must be auto, shim, generic, not 'intel'\n");
    }

    @Test
    void processesStartedTogetherTakeOneShimDecision() throws Exception {
        assumeTrue(
                Files.exists(DIST.resolve("lib/native/libattnfer-mkl-vendor.so")),
                "MKL's shim was not built here (no C compiler)");
        Map<String, String> env =
                Map.of("FER_ROUTES_CACHE", tmp.resolve("routes").toString());
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<Result> a = two.submit(() -> script(env, "modules"));
            Future<Result> b = two.submit(() -> script(env, "modules"));
            String both = a.get().out() + b.get().out();
            // a job array's tasks must not measure it each: their results would differ in the last digits
            assertThat(Pattern.compile("measuring once whether MKL's vendor shim")
                            .matcher(both)
                            .results()
                            .count())
                    .as(both)
                    .isEqualTo(1);
            assertThat(a.get().code()).isZero();
            assertThat(b.get().code()).isZero();
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void smokeExperimentTrainsThroughTheScript() throws Exception {
        Path data = Fixtures.imageFolder(tmp.resolve("data"), List.of("happy", "sad", "surprise"), 12, 32, 3);
        Path runs = tmp.resolve("runs");
        List<String> command = new ArrayList<>(List.of(
                DIST.resolve("bin/fer").toString(),
                "run",
                DIST.resolve("../../../examples/smoke.yaml").normalize().toString(),
                "--set",
                "dataset.path=" + data,
                "--output",
                runs.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Path run = runs.resolve("ResNet18+SimAM/seed-0");
        List<String> epochs = Files.readAllLines(run.resolve("epochs.csv"));
        assertThat(epochs).hasSize(3);
        assertThat(epochs.get(0)).startsWith("epoch,train_loss,train_accuracy,val_loss,val_accuracy");
        double accuracy = JSON.readTree(run.resolve("metrics.json").toFile())
                .path("accuracy")
                .asDouble(-1);
        assertThat(accuracy).isBetween(0.0, 1.0);
        assertThat(output).contains("epoch 2/2", "validation accuracy", "ResNet18+SimAM");
        JsonNode compute = JSON.readTree(run.resolve("manifest.json").toFile()).path("compute");
        assertThat(compute.path("layout").asText()).isEqualTo("nhwc");
        assertThat(compute.path("routes").asText()).matches("[a-z0-9_]+ \\d+(, [a-z0-9_]+ \\d+)*");
        // the run names the code that made it, as `fer --version` does: the version and the commit built
        String version = JSON.readTree(run.resolve("manifest.json").toFile())
                .path("versions")
                .path("attnfer")
                .asText();
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+git\\.[0-9a-f]+(-dirty)?)?");
        assertThat(fer(DIST, "--version").out().strip()).isEqualTo("AttnFER " + version);

        // the trained run serves the commands that reuse it
        Path perImage = tmp.resolve("evaluated.csv");
        Result eval =
                fer(DIST, "evaluate", run.toString(), data.toString(), "--json", "--predictions", perImage.toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode metrics = JSON.readTree(eval.out());
        assertThat(metrics.path("count").asInt()).isEqualTo(36);
        assertThat(metrics.path("accuracy").asDouble(-1)).isBetween(0.0, 1.0);
        // the per-image file holds every image, and its rows give the printed accuracy
        List<String> evaluated = Files.readAllLines(perImage);
        assertThat(evaluated.get(0)).startsWith("index,item,true,predicted,p_");
        assertThat(evaluated).hasSize(37);
        long right = evaluated.stream()
                .skip(1)
                .map(r -> r.split(","))
                .filter(f -> f[2].equals(f[3]))
                .count();
        assertThat(right / 36.0).isEqualTo(metrics.path("accuracy").asDouble());
        // a run averaged with itself is itself: the ensemble path changes no probability
        Result twice = fer(DIST, "evaluate", run.toString(), data.toString(), "--ensemble", run.toString(), "--json");
        assertThat(twice.code()).as(twice.err()).isZero();
        JsonNode same = JSON.readTree(twice.out());
        assertThat(same.path("ensemble").get(0).asText()).isEqualTo(run.toString());
        assertThat(same.path("accuracy").asDouble())
                .isEqualTo(metrics.path("accuracy").asDouble());
        assertThat(same.path("macro_f1").asDouble())
                .isEqualTo(metrics.path("macro_f1").asDouble());
        // bfloat16 convolutions: the same images, probabilities within rounding of float32's, yet not all equal
        Path roundedImages = tmp.resolve("bfloat16.csv");
        Result rounded = fer(
                DIST,
                "evaluate",
                run.toString(),
                data.toString(),
                "--precision",
                "bfloat16",
                "--predictions",
                roundedImages.toString());
        assertThat(rounded.code()).as(rounded.err()).isZero();
        assertThat(rounded.out().lines().findFirst().orElse("")).endsWith(", bfloat16 convolutions");
        List<String> roundedRows = Files.readAllLines(roundedImages);
        assertThat(roundedRows).hasSize(37);
        double largest = 0;
        for (int i = 1; i < 37; i++) {
            String[] f32 = evaluated.get(i).split(",", -1);
            String[] bf16 = roundedRows.get(i).split(",", -1);
            assertThat(bf16[1]).isEqualTo(f32[1]);
            for (int c = 4; c < f32.length; c++) {
                largest = Math.max(largest, Math.abs(Double.parseDouble(bf16[c]) - Double.parseDouble(f32[c])));
            }
        }
        assertThat(largest).isPositive().isLessThan(0.05);
        Result fp16 = fer(DIST, "evaluate", run.toString(), data.toString(), "--precision", "fp16");
        assertThat(fp16.code()).isEqualTo(2);
        assertThat(fp16.err().lines().findFirst().orElse(""))
                .isEqualTo("fer evaluate: Invalid value for option '--precision': precision must be float32 or "
                        + "bfloat16, not 'fp16'");
        // test-time views: ten-crop at three scales, and a zoom out of range named in one line
        Path zoomedImages = tmp.resolve("zoomed.csv");
        Result zoomed = fer(
                DIST,
                "evaluate",
                run.toString(),
                data.toString(),
                "--tta-zoom",
                "0.1",
                "--json",
                "--predictions",
                zoomedImages.toString());
        assertThat(zoomed.code()).as(zoomed.err()).isZero();
        JsonNode views = JSON.readTree(zoomed.out());
        assertThat(views.path("tta").asBoolean()).isTrue();
        assertThat(views.path("tta_zoom").asDouble()).isEqualTo(0.1);
        assertThat(views.path("precision").asText()).isEqualTo("float32");
        assertThat(views.path("count").asInt()).isEqualTo(36);
        // the two evaluations compared image by image: the discordant counts make up the accuracy difference
        Result compared = fer(DIST, "compare", perImage.toString(), zoomedImages.toString(), "--json");
        assertThat(compared.code()).as(compared.err()).isZero();
        JsonNode pair = JSON.readTree(compared.out());
        assertThat(pair.path("images").asInt()).isEqualTo(36);
        assertThat(pair.path("a").path("accuracy").asDouble())
                .isEqualTo(metrics.path("accuracy").asDouble());
        assertThat(pair.path("b").path("accuracy").asDouble())
                .isEqualTo(views.path("accuracy").asDouble());
        assertThat(pair.path("only_a_right").asInt() - pair.path("only_b_right").asInt())
                .isEqualTo((int) Math.round(36
                        * (metrics.path("accuracy").asDouble()
                                - views.path("accuracy").asDouble())));
        assertThat(pair.path("mcnemar_p").asDouble()).isBetween(0.0, 1.0);
        // the run's own predictions are on its validation images, not these
        Result unpaired = fer(DIST, "compare", perImage.toString(), run.toString());
        assertThat(unpaired.code()).isEqualTo(1);
        assertThat(unpaired.err()).contains("are not on the same images");
        Result tooFar = fer(DIST, "evaluate", run.toString(), data.toString(), "--tta-zoom", "0.6");
        assertThat(tooFar.code()).isEqualTo(2);
        assertThat(tooFar.err().lines().findFirst().orElse(""))
                .isEqualTo(
                        "fer evaluate: Invalid value for option '--tta-zoom': the test-time zoom must be between 0 and 0.4, got 0.6");

        Path faces = data.resolve("happy");
        Path heatmaps = tmp.resolve("heatmaps");
        Result predict = fer(
                DIST,
                "predict",
                run.toString(),
                faces.toString(),
                "--whole",
                "--format",
                "csv",
                "--heatmaps",
                heatmaps.toString());
        assertThat(predict.code()).as(predict.err()).isZero();
        List<String> rows = predict.out().lines().toList();
        assertThat(rows.get(0)).isEqualTo("file,x,y,width,height,emotion,p_happy,p_sad,p_surprise");
        assertThat(rows).hasSize(13);
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",", -1);
            assertThat(cells[5]).isIn("happy", "sad", "surprise");
            double sum = Double.parseDouble(cells[6]) + Double.parseDouble(cells[7]) + Double.parseDouble(cells[8]);
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.002));
        }
        try (Stream<Path> pngs = Files.list(heatmaps)) {
            assertThat(pngs.filter(f -> f.toString().endsWith("-face0.png")).count())
                    .isEqualTo(12);
        }

        Result unknown = fer(
                DIST,
                "evaluate",
                run.toString(),
                Fixtures.imageFolder(tmp.resolve("other"), List.of("happy", "calm"), 2, 32, 1)
                        .toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("the class folder calm is not one of the seven emotions");
        Result allowed =
                fer(DIST, "evaluate", run.toString(), tmp.resolve("other").toString(), "-o", "extra_classes=allow");
        assertThat(allowed.code()).isEqualTo(1);
        assertThat(allowed.err()).contains("class 'calm' the model does not know");
    }
}
