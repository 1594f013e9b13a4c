package org.attnfer.cli.internal;

import ai.djl.Model;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.attnfer.composer.Composer;
import org.attnfer.data.TestViews;
import org.attnfer.eval.ClassMetrics;
import org.attnfer.eval.Metrics;
import org.attnfer.experiment.DatasetCatalog;
import org.attnfer.experiment.TrainedRun;
import org.attnfer.nn.Precision;
import org.attnfer.train.Predictions;
import org.attnfer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code fer evaluate}: a trained run on any dataset of its classes, such as a held-out test folder. */
@Command(
        name = "evaluate",
        description = {
            "Evaluate a trained run (its best epoch's weights) on a dataset whose classes it knows, for example",
            "a held-out test folder: accuracy, macro and per-class precision, recall and F1, confusion matrix.",
            "With --ensemble, several runs together: their class probabilities averaged."
        })
final class EvaluateCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "RUN",
            description = "A run folder (runs/NAME/VARIANT/seed-N), or the model file in one.")
    Path run;

    @Parameters(
            index = "1",
            paramLabel = "DATASET",
            description =
                    "A dataset kind, a folder of class folders, or a FER2013 CSV (one Usage: -o usage=PrivateTest).")
    String dataset;

    @Option(
            names = {"-o", "--option"},
            paramLabel = "KEY=VALUE",
            description = "An option of the dataset kind, e.g. -o usage=PrivateTest.")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--tta",
            description = "Average the ten-crop views (test-time augmentation), at the scales the run's "
                    + "training.tta_zoom gave its own final evaluation.")
    boolean tta;

    @Option(
            names = "--tta-zoom",
            paramLabel = "SHARE",
            converter = Zoom.class,
            description = "Ten-crop also of the images this share smaller and larger "
                    + "(30 views at 3 scales; 0: one scale) instead of the run's training.tta_zoom; implies --tta.")
    Double ttaZoom;

    @Option(
            names = "--ensemble",
            paramLabel = "RUN",
            description = "Another run of the same classes whose class probabilities are averaged "
                    + "with RUN's (repeatable): the metrics are then the ensemble's. Each run reads the "
                    + "images at its own input size.")
    List<Path> ensemble = new ArrayList<>();

    @Option(
            names = "--batch",
            converter = Bounds.AtLeastOne.class,
            defaultValue = "64",
            description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--predictions",
            paramLabel = "FILE",
            description = "Also write every image's true class, prediction and class "
                    + "probabilities to FILE (CSV, the columns of a run's predictions.csv), e.g. to compare "
                    + "two models on the same test images.")
    Path predictionsFile;

    @Option(
            names = "--precision",
            paramLabel = "float32|bfloat16",
            defaultValue = "float32",
            converter = PrecisionName.class,
            description =
                    "What the convolutions multiply in: bfloat16 is faster on processors with bfloat16 instructions "
                            + "(avx512_bf16, amx_bf16) and a little less exact (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Composer composer;
    private final DatasetCatalog catalog;
    private final Trainer trainer;

    @Inject
    EvaluateCommand(Composer composer, DatasetCatalog catalog, Trainer trainer) {
        this.composer = composer;
        this.catalog = catalog;
        this.trainer = trainer;
    }

    @Override
    public Integer call() throws Exception {
        precision.warning("--precision").ifPresent(spec.commandLine().getErr()::println);
        TrainedRun trained = TrainedRun.read(run);
        List<TrainedRun> members = new ArrayList<>(List.of(trained));
        for (Path other : ensemble) {
            TrainedRun m = TrainedRun.read(other);
            if (!m.classes().equals(trained.classes())) {
                throw new IllegalArgumentException(
                        "--ensemble " + other + ": its classes (" + String.join(", ", m.classes())
                                + ") are not those of " + run + " (" + String.join(", ", trained.classes()) + ")");
            }
            members.add(m);
        }
        Dataset data = DatasetArgument.open(catalog, dataset, options)
                .values()
                .iterator()
                .next();
        Dataset mapped = inModelClasses(data, trained.classes());
        int[] all = IntStream.range(0, mapped.size()).toArray();
        List<Predictions> each = new ArrayList<>();
        List<TestViews> views = new ArrayList<>();
        for (TrainedRun member : members) {
            TestViews v = ttaZoom != null
                    ? new TestViews(true, ttaZoom)
                    : tta ? new TestViews(true, member.tta().zoom()) : TestViews.NONE;
            views.add(v);
            try (Model model = member.load(composer)) {
                each.add(trainer.predict(
                        model,
                        mapped,
                        all,
                        member.input(),
                        batch,
                        Runtime.getRuntime().availableProcessors(),
                        v,
                        precision));
            }
        }
        Predictions predictions = Predictions.mean(each);
        Metrics m = predictions.metrics(trained.classes());
        if (predictionsFile != null) {
            predictions.write(predictionsFile, mapped);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>(m.toMap());
            doc.put("run", run.toString());
            if (!ensemble.isEmpty()) {
                doc.put("ensemble", ensemble.stream().map(Path::toString).toList());
            }
            doc.put("dataset", data.describe());
            doc.put("tta", views.get(0).crops());
            doc.put("tta_zoom", views.get(0).zoom());
            doc.put("precision", precision.id());
            if (predictionsFile != null) {
                doc.put("predictions", predictionsFile.toString());
            }
            Json.print(out, doc);
            return 0;
        }
        String with = ensemble.isEmpty()
                ? ""
                : " averaged with " + ensemble.stream().map(Path::toString).collect(Collectors.joining(", "));
        String tested = views.stream()
                .map(TestViews::describe)
                .distinct()
                .filter(d -> !d.isEmpty())
                .collect(Collectors.joining("; "));
        String arithmetic = precision == Precision.FLOAT32 ? "" : ", " + precision.id() + " convolutions";
        out.printf(
                Locale.ROOT,
                "%s%s on %s%s%s%n",
                run,
                with,
                data.describe(),
                tested.isEmpty() ? "" : " (" + tested + ")",
                arithmetic);
        out.printf(
                Locale.ROOT,
                "accuracy %.4f   macro precision %.4f   macro recall %.4f   macro F1 %.4f   (%d images)%n",
                m.accuracy(),
                m.macroPrecision(),
                m.macroRecall(),
                m.macroF1(),
                m.count());
        out.printf(Locale.ROOT, "top-2 accuracy %.4f   expected calibration error %.4f%n", m.top2(), m.ece());
        Table t = new Table("CLASS", ">PRECISION", ">RECALL", ">F1", ">SUPPORT");
        for (ClassMetrics c : m.perClass()) {
            t.row(c.name(), fmt(c.precision()), fmt(c.recall()), fmt(c.f1()), c.support());
        }
        t.print(out);
        if (predictionsFile != null) {
            out.println("per-image predictions → " + predictionsFile);
        }
        return 0;
    }

    /** A test-time zoom that {@link TestViews} accepts, or picocli's one-line error naming the option. */
    static final class Zoom implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                return new TestViews(true, Double.parseDouble(value.strip())).zoom();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(
                        e instanceof NumberFormatException ? "expected a number, got '" + value + "'" : e.getMessage());
            }
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** The dataset with its labels renumbered to the model's classes, matched by name. */
    static Dataset inModelClasses(Dataset data, List<String> classes) {
        int[] map = new int[data.classes().size()];
        for (int c = 0; c < map.length; c++) {
            map[c] = classes.indexOf(data.classes().get(c));
            if (map[c] < 0) {
                throw new IllegalArgumentException(
                        "the dataset has a class '" + data.classes().get(c) + "' the model does not know (its classes: "
                                + String.join(", ", classes) + ")");
            }
        }
        return new Dataset() {
            @Override
            public String describe() {
                return data.describe();
            }

            @Override
            public List<String> classes() {
                return classes;
            }

            @Override
            public int size() {
                return data.size();
            }

            @Override
            public int label(int index) {
                return map[data.label(index)];
            }

            @Override
            public Sample get(int index) throws IOException {
                Sample s = data.get(index);
                return new Sample(s.id(), map[s.label()], s.image(), s.regions());
            }
        };
    }
}
