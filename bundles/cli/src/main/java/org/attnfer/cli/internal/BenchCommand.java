package org.attnfer.cli.internal;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.data.Augmentation;
import org.attnfer.data.Batches;
import org.attnfer.data.InputSpec;
import org.attnfer.data.TestViews;
import org.attnfer.experiment.DatasetCatalog;
import org.attnfer.experiment.ProcessMemory;
import org.attnfer.nn.ComputeSettings;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.Precision;
import org.attnfer.nn.Routes;
import org.attnfer.nn.pytorch.OperatorProfile;
import org.attnfer.train.TrainStep;
import org.attnfer.train.Trainer;
import org.attnfer.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer bench}: speed and memory, measured and printed (never asserted by tests). */
@Command(
        name = "bench",
        description = {
            "Measure speed: training steps and inference of a model, and the data pipeline.",
            "Each figure is the median of repeated measurements after a warm-up, with its spread."
        },
        subcommands = {
            BenchCommand.Train.class,
            BenchCommand.Infer.class,
            BenchCommand.Data.class,
            BenchCommand.Sgemm.class,
            BenchCommand.RouteTable.class
        })
final class BenchCommand implements Runnable {

    /** The square matrices the bound is measured on: large enough for MKL to reach its peak. */
    static final int SGEMM_SIZE = 2048;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The batch and arithmetic of a training step. */
    static final class TrainingStep {
        @Option(
                names = "--batch",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "32",
                description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--precision",
                paramLabel = "float32|bfloat16",
                defaultValue = "float32",
                converter = PrecisionName.class,
                description = "Arithmetic of the training forward, as an experiment's training.precision (default: "
                        + "${DEFAULT-VALUE}).")
        Precision precision;
    }

    /** The model a benchmark runs. */
    static final class ModelChoice {
        @Parameters(index = "0", paramLabel = "MODEL", description = "Model shorthand, e.g. resnet50+ca.")
        String model;

        @Option(
                names = "--input",
                paramLabel = "CxHxW",
                converter = InputShape.class,
                defaultValue = "3x48x48",
                description = "Input shape of one image (default: ${DEFAULT-VALUE}).")
        Shape input;

        @Option(
                names = "--classes",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "7",
                description = "Number of classes (default: ${DEFAULT-VALUE}).")
        int classes;

        @Mixin
        Architecture architecture;

        Composition compose(Composer composer) {
            return composer.compose(architecture.of(model), (int) input.get(0), classes);
        }
    }

    /** Options shared by the model benchmarks. */
    static final class ModelOptions {
        @Mixin
        ModelChoice m = new ModelChoice();

        @Option(
                names = "--warmup",
                converter = Bounds.AtLeastZero.class,
                defaultValue = "3",
                description = "Unmeasured steps first, at least (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(
                names = "--warmup-seconds",
                converter = Bounds.NonNegative.class,
                defaultValue = "5",
                description = "Unmeasured steps go on for at least this long, until the JVM has compiled the hot code "
                        + "(default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(
                names = "--steps",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "11",
                description = "Measured steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(
                names = "--peak-gflops",
                converter = Bounds.Positive.class,
                description =
                        "The machine's SGEMM GFLOP/s, for the share of the bound (default: measured after the model, "
                                + "as `fer bench sgemm` does).")
        Double peak;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(
                names = "--profile",
                paramLabel = "FILE",
                description = "After the measured steps, profile three more, one by one, with libtorch's operator "
                        + "profiler; of the median step, write the trace to FILE (Chrome trace format) and print the "
                        + "operators by self time.")
        Path profile;

        /** The composed model; first a check that the profile can be written, not after the benchmark. */
        Composition compose(Composer composer) throws NoSuchFileException {
            if (profile != null) {
                Outputs.folder(profile);
            }
            return m.compose(composer);
        }
    }

    /** {@code fer bench train}. */
    @Command(
            name = "train",
            description = "Training throughput: forward, backward and update of one batch, as the trainer runs them.")
    static final class Train implements Callable<Integer> {

        @Mixin
        ModelOptions o = new ModelOptions();

        @Mixin
        TrainingStep step = new TrainingStep();

        @Spec
        CommandSpec spec;

        private final Composer composer;

        @Inject
        Train(Composer composer) {
            this.composer = composer;
        }

        @Override
        public Integer call() throws Exception {
            step.precision.warning("--precision").ifPresent(spec.commandLine().getErr()::println);
            Composition c = o.compose(composer);
            InputSpec input = input(o.m.input);
            try (Model model = Model.newInstance("bench")) {
                model.setBlock(c.block());
                new Trainer().initialize(model, input, 0);
                long macs = ModelStats.trace(model.getBlock(), o.m.input).get(0).macs();
                double[] seconds = measure(spec, o, trainStep(model, input, step.batch, o.m.classes, step.precision));
                // a training step costs about three forward passes (forward, two for backward)
                report(spec, o, c, "train", step.batch, seconds, macs, 3, step.precision);
            }
            return 0;
        }
    }

    /** {@code fer bench infer}. */
    @Command(name = "infer", description = "Inference latency: a forward pass in eval mode without gradients.")
    static final class Infer implements Callable<Integer> {

        @Mixin
        ModelOptions o = new ModelOptions();

        @Option(
                names = "--batch",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "1",
                description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--precision",
                paramLabel = "float32|bfloat16",
                defaultValue = "float32",
                converter = PrecisionName.class,
                description =
                        "Arithmetic of the convolutions, as fer evaluate --precision (default: ${DEFAULT-VALUE}).")
        Precision precision;

        @Spec
        CommandSpec spec;

        private final Composer composer;

        @Inject
        Infer(Composer composer) {
            this.composer = composer;
        }

        @Override
        public Integer call() throws Exception {
            precision.warning("--precision").ifPresent(spec.commandLine().getErr()::println);
            Composition c = o.compose(composer);
            try (Model model = Model.newInstance("bench")) {
                model.setBlock(c.block());
                new Trainer().initialize(model, input(o.m.input), 0);
                long macs = ModelStats.trace(model.getBlock(), o.m.input).get(0).macs();
                double[] seconds = measure(spec, o, inferenceStep(model, o.m.input, batch, precision));
                report(spec, o, c, "infer", batch, seconds, macs, 1, precision);
            }
            return 0;
        }
    }

    /** One training step of random images, as the trainer runs it. */
    static Runnable trainStep(Model model, InputSpec input, int batch, int classes, Precision precision) {
        TrainStep step = new TrainStep(model, TrainingConfig.with(Map.of("precision", precision.id())), null);
        Random r = new Random(0);
        float[] data = new float[batch * input.length()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        int[] labels = r.ints(batch, 0, classes).toArray();
        return () -> step.run(data, labels, null, input, 0.01, new Random(0));
    }

    /** One forward pass of random images in eval mode. */
    static Runnable inferenceStep(Model model, Shape input, int batch, Precision precision) {
        ParameterStore store = new ParameterStore(model.getNDManager(), false);
        Shape shape = new Shape(batch).addAll(input);
        return () -> {
            try (NDManager step = model.getNDManager().newSubManager()) {
                model.getBlock()
                        .forward(store, new NDList(step.randomNormal(shape)), false, precision.params())
                        .singletonOrThrow()
                        .toFloatArray();
            }
        };
    }

    /** {@code fer bench routes}. */
    @Command(
            name = "routes",
            description = {
                "The convolution route of every shape a model runs, with each candidate's time on this machine and the "
                        + "candidates that computed wrongly.",
                "Shapes not measured on this machine yet are measured now (and kept for later runs)."
            })
    static final class RouteTable implements Callable<Integer> {

        @Mixin
        ModelChoice m = new ModelChoice();

        @Mixin
        TrainingStep step = new TrainingStep();

        @Option(names = "--inference", description = "The routes of plain inference instead of training.")
        boolean inference;

        @Option(
                names = "--again",
                description = "Forget every decision kept for this machine first, and measure the model's shapes anew "
                        + "(after a change of libraries, or when other work disturbed the first measurement).")
        boolean again;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        private final Composer composer;

        @Inject
        RouteTable(Composer composer) {
            this.composer = composer;
        }

        @Override
        public Integer call() throws Exception {
            Composition c = m.compose(composer);
            if (again) {
                Routes.policy().forget();
            }
            try (Model model = Model.newInstance("routes")) {
                model.setBlock(c.block());
                new Trainer().initialize(model, input(m.input), 0);
                (inference
                                ? inferenceStep(model, m.input, step.batch, step.precision)
                                : trainStep(model, input(m.input), step.batch, m.classes, step.precision))
                        .run();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Json.print(out, Map.of("machine", ComputeSettings.describe(), "routes", routeTable()));
            } else {
                out.println("on " + ComputeSettings.cpu() + ", " + ComputeSettings.threads()
                        + " threads; decisions kept in " + Routes.policy().cacheFile());
                Routes.policy().print(out);
            }
            return 0;
        }
    }

    /** {@code fer bench data}. */
    @Command(
            name = "data",
            description = "Data-pipeline throughput: reading, decoding (or drawing), augmenting and batching.")
    static final class Data implements Callable<Integer> {

        @Mixin
        DataCommand.Source source = new DataCommand.Source();

        @Option(
                names = "--input",
                paramLabel = "CxHxW",
                converter = InputShape.class,
                defaultValue = "1x48x48",
                description = "Network input (default: ${DEFAULT-VALUE}).")
        Shape input;

        @Option(names = "--augment", description = "With the default training augmentation.")
        boolean augment;

        @Option(
                names = "--workers",
                converter = Bounds.AtLeastZero.class,
                defaultValue = "1",
                description = "Loader threads (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(
                names = "--batch",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "64",
                description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--batches",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "60",
                description = "Measured batches (default: ${DEFAULT-VALUE}).")
        int batches;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        private final DatasetCatalog catalog;

        @Inject
        Data(DatasetCatalog catalog) {
            this.catalog = catalog;
        }

        @Override
        public Integer call() throws Exception {
            Dataset d = DatasetArgument.open(catalog, source.name, source.options)
                    .values()
                    .iterator()
                    .next();
            InputSpec in = input(input);
            Augmentation aug = augment ? Augmentation.of(Params.defaults(Augmentation.OPTIONS)) : Augmentation.NONE;
            int n = Math.min(d.size(), batch * (batches + 2));
            int[] order = Batches.shuffled(IntStream.range(0, d.size()).toArray(), 1);
            order = Arrays.copyOf(order, n);
            List<Double> seconds = new ArrayList<>();
            try (Batches b = new Batches(d, order, in, batch, workers, aug, 0, 1, TestViews.NONE)) {
                // the first two batches fill the pipeline
                b.next();
                b.next();
                long last = System.nanoTime();
                while (b.hasNext()) {
                    b.next();
                    long now = System.nanoTime();
                    seconds.add((now - last) / 1e9);
                    last = now;
                }
            }
            double[] s = seconds.stream().mapToDouble(Double::doubleValue).toArray();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("benchmark", "data");
            doc.put("dataset", d.describe());
            doc.put("augment", augment);
            doc.put("workers", workers);
            doc.put("batch", batch);
            doc.put("batches", s.length);
            doc.put("images_per_second", batch / median(s));
            doc.put("seconds_per_batch", spread(s));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Json.print(out, doc);
            } else {
                out.printf(
                        Locale.ROOT,
                        "data %s: %.0f images/s (%d workers, batch %d%s), median of %d batches%n",
                        d.describe(),
                        batch / median(s),
                        workers,
                        batch,
                        augment ? ", augmented" : "",
                        s.length);
            }
            return 0;
        }
    }

    /** {@code fer bench sgemm}. */
    @Command(
            name = "sgemm",
            description = {
                "The machine's bound: float32 matrix products through libtorch (the MKL that convolutions use), in "
                        + "GFLOP/s.",
                "Model benchmarks measure it themselves to give their share of it."
            })
    static final class Sgemm implements Callable<Integer> {

        @Option(
                names = "--size",
                converter = Bounds.AtLeastOne.class,
                defaultValue = "" + SGEMM_SIZE,
                description = "Rows and columns of the square matrices (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(
                names = "--seconds",
                converter = Bounds.NonNegative.class,
                defaultValue = "3",
                description =
                        "Measure for at least this long, after a warm-up of a third of it (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            double error = sgemmError();
            if (!(error < 1e-4)) {
                spec.commandLine()
                        .getErr()
                        .printf(Locale.ROOT, "fer bench sgemm: float32 products are wrong here (off by %.3g)%n", error);
                return 1;
            }
            Throughput t = sgemmGflops(size, seconds);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("benchmark", "sgemm");
            doc.put("size", size);
            doc.putAll(ComputeSettings.describe());
            doc.put(
                    "engine",
                    Engine.getInstance().getEngineName() + " "
                            + Engine.getInstance().getVersion());
            doc.put("products", t.seconds().length);
            doc.put("seconds_per_product", spread(t.seconds()));
            doc.put("gflops", t.median());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Json.print(out, doc);
            } else {
                out.printf(
                        Locale.ROOT,
                        "sgemm %d×%d float32 on %s, %s threads, MKL %s: %.0f GFLOP/s (median of %d products, "
                                + "%.0f–%.0f)%n",
                        size,
                        size,
                        doc.get("cpu"),
                        doc.get("threads"),
                        ComputeSettings.mklVendorShim() ? "vendor shim" : "as shipped",
                        t.median(),
                        t.seconds().length,
                        t.gflops(max(t.seconds())),
                        t.gflops(min(t.seconds())));
            }
            return 0;
        }
    }

    /**
     * The largest error of a float32 product through libtorch against the same product summed in
     * Java in float64, relative to its largest value: a library that computes wrong (on a processor
     * it misreads, say) must never count as fast.
     */
    static double sgemmError() {
        int n = 96;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            float[] product = a.matMul(b).toFloatArray();
            float[] x = a.toFloatArray();
            float[] y = b.toFloatArray();
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) {
                        sum += (double) x[i * n + k] * y[k * n + j];
                    }
                    worst = Math.max(worst, Math.abs(sum - product[i * n + j]));
                    largest = Math.max(largest, Math.abs(sum));
                }
            }
            return worst / largest;
        }
    }

    /** Timed matrix products of one size. */
    record Throughput(long flops, double[] seconds) {
        double gflops(double s) {
            return flops / s / 1e9;
        }

        double median() {
            return gflops(BenchCommand.median(seconds));
        }
    }

    /**
     * Times n×n by n×n float32 products for at least {@code seconds} (and three products), after a
     * warm-up of a third of that (and one product): the first calls allocate and pick kernels.
     */
    static Throughput sgemmGflops(int n, double seconds) {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(n, n);
            var a = m.randomUniform(-1, 1, shape);
            var b = m.randomUniform(-1, 1, shape);
            long until = System.nanoTime() + (long) (seconds / 3 * 1e9);
            do {
                a.matMul(b).close();
            } while (System.nanoTime() < until);
            List<Double> times = new ArrayList<>();
            until = System.nanoTime() + (long) (seconds * 1e9);
            while (times.size() < 3 || System.nanoTime() < until) {
                long t = System.nanoTime();
                a.matMul(b).close();
                times.add((System.nanoTime() - t) / 1e9);
            }
            return new Throughput(
                    2L * n * n * n,
                    times.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private static InputSpec input(Shape s) {
        if (s.get(1) != s.get(2)) {
            throw new IllegalArgumentException("the input must be square, got " + InputShape.format(s));
        }
        return new InputSpec((int) s.get(0), (int) s.get(1));
    }

    private static double[] measure(CommandSpec spec, ModelOptions o, Runnable body) {
        long until = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
        for (int i = 0; i < o.warmup || System.nanoTime() < until; i++) {
            body.run();
        }
        double[] seconds = new double[o.steps];
        for (int i = 0; i < o.steps; i++) {
            long t = System.nanoTime();
            body.run();
            seconds[i] = (System.nanoTime() - t) / 1e9;
        }
        if (o.profile != null) {
            profile(spec, o.profile, body);
        }
        return seconds;
    }

    /**
     * Three steps profiled one by one; of the median one, the trace to {@code file} and the costliest
     * operators to stderr.
     */
    private static void profile(CommandSpec spec, Path file, Runnable body) {
        OperatorProfile.Steps steps = OperatorProfile.medianStep(3, file, body);
        List<OperatorProfile.Operator> ops = steps.operators();
        double total = steps.stepMillis().get(steps.kept());
        PrintWriter err = spec.commandLine().getErr();
        err.printf(
                Locale.ROOT,
                "operator self time of the median of %d profiled steps (operator time per step: %s ms; trace: %s)%n",
                steps.stepMillis().size(),
                steps.stepMillis().stream()
                        .map(t -> String.format(Locale.ROOT, "%.0f", t))
                        .collect(Collectors.joining(", ")),
                file);
        for (OperatorProfile.Operator op : ops.subList(0, Math.min(25, ops.size()))) {
            err.printf(
                    Locale.ROOT,
                    "%9.2f ms %5.1f%% %6d calls  %s%n",
                    op.selfMillis(),
                    100 * op.selfMillis() / total,
                    op.calls(),
                    op.name());
        }
        err.printf(Locale.ROOT, "%9.2f ms in all%n", total);
        err.flush();
    }

    private static void report(
            CommandSpec spec,
            ModelOptions o,
            Composition c,
            String kind,
            int batch,
            double[] seconds,
            long macs,
            int passes,
            Precision precision)
            throws Exception {
        double median = median(seconds);
        double imagesPerSecond = batch / median;
        double gflops = 2.0 * passes * macs * imagesPerSecond / 1e9;
        // measured after the model so that the JIT-compiled steps are not disturbed by it
        double bound = o.peak != null ? o.peak : sgemmGflops(SGEMM_SIZE, 1.0).median();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", kind);
        doc.put("model", o.m.model);
        doc.put("stem", c.backbone().stem());
        doc.put("width", c.backbone().width());
        doc.put("input", o.m.input.getShape());
        doc.put("batch", batch);
        doc.putAll(ComputeSettings.describe());
        if (!kind.equals("train")) {
            // inference runs on plain [N,C,H,W] activations (see ResNet)
            doc.put("layout", "nchw");
        }
        doc.put("route_table", routeTable());
        doc.put("precision", precision.id());
        doc.put(
                "engine",
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion());
        doc.put("steps", seconds.length);
        doc.put("seconds_per_step", spread(seconds));
        doc.put("images_per_second", imagesPerSecond);
        doc.put("macs_per_image", macs);
        doc.put("gflops", gflops);
        doc.put("sgemm_gflops", bound);
        doc.put("sgemm_measured", o.peak == null);
        doc.put("share_of_sgemm_bound", gflops / bound);
        doc.put("peak_resident_mb", ProcessMemory.peakResidentMb());
        PrintWriter out = spec.commandLine().getOut();
        if (o.json) {
            Json.print(out, doc);
            return;
        }
        String shape = c.backbone().stem() + " stem"
                + (c.backbone().width() == 1 ? "" : ", width " + c.backbone().width());
        out.printf(
                Locale.ROOT,
                "%s %s (%s), input %s, batch %d, %s, %s, MKL %s: %.1f images/s, %.2f ms per step "
                        + "(min %.2f, max %.2f), %.0f GFLOP/s = %.0f%% of %.0f (%s); peak RSS %d MB%n"
                        + "convolution routes: %s (fer bench routes shows them shape by shape)%n",
                kind,
                o.m.model,
                shape,
                InputShape.format(o.m.input),
                batch,
                precision.id(),
                doc.get("layout"),
                Boolean.TRUE.equals(doc.get("mkl_vendor_shim")) ? "vendor shim" : "as shipped",
                imagesPerSecond,
                1000 * median,
                1000 * min(seconds),
                1000 * max(seconds),
                gflops,
                100 * gflops / bound,
                bound,
                // bfloat16 convolutions may pass the float32 bound
                (precision == Precision.FLOAT32 ? "" : "float32 ")
                        + (o.peak == null ? "SGEMM measured" : "SGEMM given"),
                ProcessMemory.peakResidentMb(),
                Routes.policy().summary());
    }

    /** The decisions of this process, shape by shape, for JSON. */
    static List<Map<String, Object>> routeTable() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Routes.Decision d : Routes.policy().decisions()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shape", d.shape().key());
            row.put("route", d.route().id());
            row.put("reason", d.reason().name().toLowerCase(Locale.ROOT));
            Map<String, Double> millis = new LinkedHashMap<>();
            d.millis().forEach((r, t) -> millis.put(r.id(), t));
            row.put("millis", millis);
            Map<String, String> faults = new LinkedHashMap<>();
            d.faults().forEach((r, why) -> faults.put(r.id(), why));
            row.put("faults", faults);
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Double> spread(double[] s) {
        double[] sorted = s.clone();
        Arrays.sort(sorted);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("median", median(s));
        m.put("min", sorted[0]);
        m.put("p25", sorted[(sorted.length - 1) / 4]);
        m.put("p75", sorted[3 * (sorted.length - 1) / 4]);
        m.put("max", sorted[sorted.length - 1]);
        return m;
    }

    static double median(double[] s) {
        double[] sorted = s.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] s) {
        return Arrays.stream(s).min().orElse(Double.NaN);
    }

    private static double max(double[] s) {
        return Arrays.stream(s).max().orElse(Double.NaN);
    }
}
