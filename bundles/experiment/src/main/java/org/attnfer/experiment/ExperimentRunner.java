package org.attnfer.experiment;

import ai.djl.Model;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.composer.CompositionException;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.eval.Metrics;
import org.attnfer.nn.ComputeSettings;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.Precision;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.train.EpochListener;
import org.attnfer.train.EpochResult;
import org.attnfer.train.Predictions;
import org.attnfer.train.Trainer;

/**
 * Runs one experiment: checks everything first (datasets, every variant's composition), then trains
 * each variant × seed into its own run folder.
 *
 * <p>A run is trained in a hidden folder ({@code .seed-N.partial}) that holds its checkpoints, and
 * renamed when complete, so a crash never leaves a half-written result. Running the experiment
 * again skips complete runs and resumes an interrupted one from its last checkpoint. The output
 * folder is locked while a {@code fer run} works in it. One runner per experiment, made by the
 * experiment's own child injector where the experiment is bound.
 */
public class ExperimentRunner {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The trained weights kept in a run folder: those of the best validation epoch. */
    public static final String MODEL_FILE = Trainer.BEST;

    private final Composer composer;
    private final DatasetCatalog datasets;
    private final Trainer trainer;
    private final Experiment experiment;

    /** Creates the runner of an experiment. */
    @Inject
    public ExperimentRunner(Composer composer, DatasetCatalog datasets, Trainer trainer, Experiment experiment) {
        this.composer = composer;
        this.datasets = datasets;
        this.trainer = trainer;
        this.experiment = experiment;
    }

    /**
     * Opens the datasets, splits the training data and composes every variant, so that any problem
     * shows before training starts.
     */
    public Plan plan() throws IOException {
        Experiment e = experiment;
        Dataset dataset = open(e.dataset(), "dataset");
        Dataset test = e.test() == null ? null : open(e.test(), "test");
        if (test != null && !test.classes().equals(dataset.classes())) {
            throw new ExperimentException(e.test().where() + " test: its classes " + test.classes()
                    + " differ from the dataset's " + dataset.classes());
        }
        Split split;
        if (e.validationSet() != null) {
            Dataset validation = open(e.validationSet(), "validation");
            try {
                Split.Joined joined = Split.separate(dataset, validation);
                dataset = joined.data();
                split = joined.split();
            } catch (IllegalArgumentException ex) {
                throw new ExperimentException(e.validationSet().where() + " validation: " + ex.getMessage());
            }
        } else {
            try {
                split = Split.of(dataset, e.validation(), e.splitSeed(), e.splitBy());
            } catch (IllegalArgumentException ex) {
                throw new ExperimentException(e.file() + ": " + ex.getMessage());
            }
        }
        List<Long> parameters = new ArrayList<>();
        for (Variant v : e.variants()) {
            parameters.add(trainableCount(compose(v, e, dataset).block(), e));
        }
        return new Plan(e, dataset, test, split, parameters);
    }

    /**
     * Counts before training; blocks whose parameter shapes follow the input (DJL's own layers, in plug-ins) are
     * initialised first.
     */
    private static long trainableCount(ai.djl.nn.Block block, Experiment e) {
        if (StateDict.parameters(block).values().stream().anyMatch(p -> p.getShape() == null)) {
            try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
                block.initialize(
                        manager,
                        ai.djl.ndarray.types.DataType.FLOAT32,
                        new ai.djl.ndarray.types.Shape(
                                1,
                                e.input().channels(),
                                e.input().size(),
                                e.input().size()));
            }
        }
        return StateDict.trainableCount(block);
    }

    private Dataset open(Experiment.DatasetSpec spec, String key) {
        DatasetProvider provider = datasets.find(spec.type())
                .orElseThrow(() -> new ExperimentException(spec.typeWhere()
                        + " " + key + ".type: unknown dataset kind '" + spec.type() + "' (known: "
                        + String.join(
                                ", ",
                                datasets.providers().stream()
                                        .map(DatasetProvider::id)
                                        .sorted()
                                        .toList()) + ")"));
        Params options;
        try {
            options = Params.validate(provider.options(), spec.options());
        } catch (IllegalArgumentException ex) {
            throw new ExperimentException(spec.where() + " " + key + ": " + ex.getMessage());
        }
        try {
            return provider.open(options, experiment.file().toAbsolutePath().getParent());
        } catch (IOException | IllegalArgumentException ex) {
            throw new ExperimentException(spec.where() + " " + key + ": " + ex.getMessage());
        }
    }

    private Composition compose(Variant v, Experiment e, Dataset dataset) {
        try {
            return composer.compose(
                    v.model(), e.input().channels(), dataset.classes().size());
        } catch (CompositionException ex) {
            throw new ExperimentException(v.where() + " variant '" + v.name() + "': " + ex.getMessage());
        }
    }

    /** Starts one cell of a grid in a process of its own, which runs {@link #runCell}. */
    @FunctionalInterface
    public interface CellProcess {
        /** Starts the process; its standard output and error are read as one stream. */
        Process start(Variant variant, long seed) throws IOException;
    }

    /**
     * Trains every variant × seed that is not complete yet, one after another in this JVM.
     *
     * @param plan a checked experiment
     * @param out where the account of the runs goes
     * @return one result per run, in grid order
     */
    public List<RunResult> run(Plan plan, PrintStream out) throws IOException {
        return run(plan, out, null, 1);
    }

    /**
     * Trains every variant × seed that is not complete yet, up to {@code parallel} at a time in
     * processes of their own when {@code processes} is given.
     *
     * @param plan a checked experiment
     * @param out where the account of the runs goes; a process's lines are prefixed with its cell
     * @param processes starts a cell's process, or {@code null} to train in this JVM
     * @param parallel how many cells run at once (with {@code processes})
     * @return one result per run, in grid order
     */
    public List<RunResult> run(Plan plan, PrintStream out, CellProcess processes, int parallel) throws IOException {
        Experiment e = plan.experiment();
        try (Lock lock = lock(e, false)) {
            return runLocked(plan, out, processes, parallel);
        }
    }

    /**
     * Trains one cell of the grid: what a process started through {@link CellProcess} does. It
     * works under the lock of the {@code fer run} that started it, or takes the lock itself.
     *
     * @param variant the variant's name
     * @param seed one of the experiment's seeds
     */
    public RunResult runCell(Plan plan, String variant, long seed, PrintStream out) throws IOException {
        Experiment e = plan.experiment();
        int i = e.variants().stream().map(Variant::name).toList().indexOf(variant);
        if (i < 0 || !e.seeds().contains(seed)) {
            throw new ExperimentException("the experiment has no cell " + variant + " seed " + seed);
        }
        try (Lock lock = lock(e, true)) {
            return runOne(plan, e.variants().get(i), plan.parameters().get(i), seed, out);
        }
    }

    /** The output folder's lock file; closing it releases the lock, if this process holds it. */
    private record Lock(FileChannel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Locks the output folder; when {@code shared}, a lock another process holds is accepted as its parent's. */
    private static Lock lock(Experiment e, boolean shared) throws IOException {
        try {
            Files.createDirectories(e.output());
        } catch (FileSystemException ex) {
            throw new ExperimentException("cannot create the output folder " + e.output() + ": " + ex.getReason());
        }
        if (!Files.isWritable(e.output())) {
            throw new ExperimentException("the output folder " + e.output() + " is not writable");
        }
        FileChannel channel;
        try {
            channel =
                    FileChannel.open(e.output().resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (AccessDeniedException ex) {
            throw new ExperimentException("the output folder " + e.output() + " is not writable");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
        if (lock == null && !shared) {
            channel.close();
            throw new ExperimentException("the output folder " + e.output()
                    + " is in use by another fer run; wait for it or choose another --output");
        }
        return new Lock(channel);
    }

    private List<RunResult> runLocked(Plan plan, PrintStream out, CellProcess processes, int parallel)
            throws IOException {
        Experiment e = plan.experiment();
        writeExperiment(plan);
        out.println("Experiment " + e.name() + ": " + e.variants().size() + " variants × "
                + e.seeds().size() + " seeds → " + e.output()
                + (processes != null ? " (" + parallel + " processes at a time)" : ""));
        out.println("  data: " + plan.dataset().describe());
        out.println("  input: " + e.input().describe());
        out.println("  split: " + plan.split().train().length + " training, "
                + plan.split().validation().length + " validation, "
                + plan.split().how() + (e.validationSet() == null ? " (seed " + e.splitSeed() + ")" : ""));
        if (plan.test() != null) {
            out.println("  test: " + plan.test().describe());
        }
        List<String> failures = new ArrayList<>();
        List<RunResult> results = processes != null
                ? inProcesses(plan, out, processes, parallel, failures)
                : inThisJvm(plan, out, failures);
        out.println();
        String set = plan.test() != null ? "TEST" : "VAL";
        out.println(String.format(Locale.ROOT, "%-28s %6s %10s %10s", "VARIANT", "SEED", set + " ACC", "MACRO-F1"));
        for (RunResult r : results) {
            out.println(String.format(
                    Locale.ROOT,
                    "%-28s %6d %10.4f %10.4f%s",
                    r.variant(),
                    r.seed(),
                    r.accuracy(),
                    r.macroF1(),
                    r.skipped() ? "  (done before)" : ""));
        }
        if (!failures.isEmpty()) {
            throw new ExperimentException(failures.size() + " of " + (results.size() + failures.size())
                    + " runs failed: " + String.join("; ", failures));
        }
        return results;
    }

    private List<RunResult> inThisJvm(Plan plan, PrintStream out, List<String> failures) {
        Experiment e = plan.experiment();
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < e.variants().size(); i++) {
            Variant v = e.variants().get(i);
            for (long seed : e.seeds()) {
                try {
                    results.add(runOne(plan, v, plan.parameters().get(i), seed, out));
                } catch (IOException | RuntimeException ex) {
                    // one run that fails (a diverging loss, a broken plug-in) must not cost the others
                    failed(v, seed, ex.getMessage(), failures, out);
                }
            }
        }
        return results;
    }

    private static void failed(Variant v, long seed, String why, List<String> failures, PrintStream out) {
        String what = v.name() + " seed " + seed + ": " + why;
        failures.add(what);
        out.println("   FAILED " + what + " (its checkpoint, if any, is kept; run again to resume)");
    }

    /** One cell's process and the thread that copies its output. */
    private record Running(Variant variant, long seed, Process process, Thread pump) {}

    private List<RunResult> inProcesses(
            Plan plan, PrintStream out, CellProcess processes, int parallel, List<String> failures) throws IOException {
        Experiment e = plan.experiment();
        Map<String, RunResult> done = new LinkedHashMap<>();
        java.util.ArrayDeque<Map.Entry<Variant, Long>> pending = new java.util.ArrayDeque<>();
        for (Variant v : e.variants()) {
            for (long seed : e.seeds()) {
                RunResult before = completed(e, v, seed);
                if (before != null) {
                    done.put(v.name() + "/" + seed, before);
                } else {
                    pending.add(Map.entry(v, seed));
                }
            }
        }
        List<Running> running = new ArrayList<>();
        try {
            while (!pending.isEmpty() || !running.isEmpty()) {
                while (running.size() < parallel && !pending.isEmpty()) {
                    Map.Entry<Variant, Long> cell = pending.poll();
                    Process p = processes.start(cell.getKey(), cell.getValue());
                    String prefix = "[" + cell.getKey().name() + " seed " + cell.getValue() + "] ";
                    Thread pump = new Thread(() -> copyLines(p, prefix, out), "output of " + prefix.strip());
                    pump.start();
                    running.add(new Running(cell.getKey(), cell.getValue(), p, pump));
                }
                Running first = running.get(0);
                for (Running r : running) {
                    if (!r.process().isAlive()) {
                        first = r;
                        break;
                    }
                }
                first.process().waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                for (Running r : List.copyOf(running)) {
                    if (!r.process().isAlive()) {
                        r.pump().join();
                        running.remove(r);
                        RunResult result = completed(e, r.variant(), r.seed());
                        if (r.process().exitValue() == 0 && result != null) {
                            done.put(
                                    r.variant().name() + "/" + r.seed(),
                                    new RunResult(
                                            result.variant(),
                                            result.seed(),
                                            result.dir(),
                                            result.accuracy(),
                                            result.macroF1(),
                                            false));
                        } else {
                            failed(
                                    r.variant(),
                                    r.seed(),
                                    "its process ended with exit code "
                                            + r.process().exitValue() + " (its output is above)",
                                    failures,
                                    out);
                        }
                    }
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        } finally {
            running.forEach(r -> r.process().destroy());
        }
        List<RunResult> results = new ArrayList<>();
        for (Variant v : e.variants()) {
            for (long seed : e.seeds()) {
                RunResult r = done.get(v.name() + "/" + seed);
                if (r != null) {
                    results.add(r);
                }
            }
        }
        return results;
    }

    private static void copyLines(Process p, String prefix, PrintStream out) {
        try (java.io.BufferedReader in = p.inputReader()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (out) {
                    out.println(prefix + line);
                }
            }
        } catch (IOException ex) {
            out.println(prefix + "(its output could not be read: " + ex.getMessage() + ")");
        }
    }

    /** The result of a complete run folder, or {@code null}. */
    private static RunResult completed(Experiment e, Variant v, long seed) throws IOException {
        Path dir = e.output().resolve(v.folder()).resolve("seed-" + seed);
        Path metricsFile = dir.resolve("metrics.json");
        if (!Files.isRegularFile(metricsFile)) {
            return null;
        }
        JsonNode m = JSON.readTree(metricsFile.toFile());
        return new RunResult(
                v.name(),
                seed,
                dir,
                m.path("accuracy").asDouble(),
                m.path("macro_f1").asDouble(),
                true);
    }

    private RunResult runOne(Plan plan, Variant v, long parameters, long seed, PrintStream out) throws IOException {
        Experiment e = plan.experiment();
        RunResult before = completed(e, v, seed);
        if (before != null) {
            return before;
        }
        Path dir = e.output().resolve(v.folder()).resolve("seed-" + seed);
        out.println();
        out.println("== " + v.name() + " (" + v.model().describe() + ", "
                + String.format(Locale.ROOT, "%,d", parameters) + " parameters), seed " + seed);
        Precision.of(v.training().precision()).warning("training.precision").ifPresent(out::println);
        Path partial = dir.resolveSibling("." + dir.getFileName() + ".partial");
        Path epochs = partial.resolve("epochs.csv");
        if (!Files.isRegularFile(partial.resolve(Trainer.LAST))) {
            deleteTree(partial);
            Files.createDirectories(partial);
            Files.writeString(epochs, EpochResult.CSV_HEADER + "\n");
        }
        Instant started = Instant.now();
        Composition c = compose(v, e, plan.dataset());
        Metrics metrics;
        Trainer.Outcome outcome;
        long macs;
        try (Model model = Model.newInstance(v.folder())) {
            model.setBlock(c.block());
            trainer.initialize(model, e.input(), seed);
            macs = ModelStats.trace(
                            model.getBlock(),
                            new ai.djl.ndarray.types.Shape(
                                    e.input().channels(),
                                    e.input().size(),
                                    e.input().size()))
                    .get(0)
                    .macs();
            outcome = trainer.train(
                    model, plan.dataset(), plan.split(), e.input(), v.training(), seed, partial, new EpochListener() {
                        @Override
                        public void epoch(EpochResult result, Predictions validation) throws IOException {
                            Files.writeString(epochs, result.csv() + "\n", StandardOpenOption.APPEND);
                        }

                        @Override
                        public void resumed(List<EpochResult> history) throws IOException {
                            StringBuilder sb = new StringBuilder(EpochResult.CSV_HEADER).append('\n');
                            history.forEach(r -> sb.append(r.csv()).append('\n'));
                            Files.writeString(epochs, sb);
                            out.println("   resuming after epoch " + history.size());
                        }
                    });
            // final figures come from the best validation epoch's weights, on the test set when there is one
            StateDict.load(model.getBlock(), TensorFiles.read(partial.resolve(Trainer.BEST)), true);
            Dataset evalSet = plan.test() != null ? plan.test() : plan.dataset();
            int[] items = plan.test() != null
                    ? IntStream.range(0, plan.test().size()).toArray()
                    : plan.split().validation();
            Predictions p = trainer.predict(
                    model,
                    evalSet,
                    items,
                    e.input(),
                    v.training().batchSize(),
                    v.training().workers(),
                    v.training().tta());
            metrics = p.metrics(evalSet.classes());
            p.write(partial.resolve("predictions.csv"), evalSet);
            Map<String, Object> m = new LinkedHashMap<>(metrics.toMap());
            m.put("evaluated_on", plan.test() != null ? "test" : "validation");
            m.put("tta", v.training().tta().crops());
            m.put("tta_zoom", v.training().tta().zoom());
            m.put("best_epoch", outcome.bestEpoch());
            m.put("epochs_run", outcome.history().size());
            m.put("stopped_early", outcome.stoppedEarly());
            Map<String, Double> focus =
                    Explanations.write(model, evalSet, items, e.input(), partial.resolve(Explanations.FILE));
            if (!focus.isEmpty()) {
                m.put("focus", focus);
            }
            JSON.writeValue(partial.resolve("metrics.json").toFile(), m);
        }
        writeSpec(partial.resolve("spec.resolved.yaml"), e, v, c, seed);
        Map<String, Object> manifest = manifest(plan, v, c, seed, parameters, started, outcome);
        manifest.put("macs", macs);
        // after the model is closed: what a grid keeps from one run to the next
        manifest.put(
                "memory",
                Map.of("resident_mb", ProcessMemory.residentMb(), "peak_resident_mb", ProcessMemory.peakResidentMb()));
        JSON.writeValue(partial.resolve("manifest.json").toFile(), manifest);
        Files.createDirectories(dir.getParent());
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        out.println(String.format(
                Locale.ROOT,
                "   %s accuracy %.4f, macro-F1 %.4f (best epoch %d of %d) → %s",
                plan.test() != null ? "test" : "validation",
                metrics.accuracy(),
                metrics.macroF1(),
                outcome.bestEpoch(),
                outcome.history().size(),
                dir));
        return new RunResult(v.name(), seed, dir, metrics.accuracy(), metrics.macroF1(), false);
    }

    /** {@code experiment.json}: what a report needs to know of the experiment as a whole. */
    private static void writeExperiment(Plan plan) throws IOException {
        Experiment e = plan.experiment();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", e.name());
        doc.put("file", e.file().toAbsolutePath().toString());
        doc.put("classes", plan.dataset().classes());
        doc.put("dataset", plan.dataset().describe());
        doc.put("test", plan.test() == null ? null : plan.test().describe());
        List<Map<String, Object>> variants = new ArrayList<>();
        e.variants()
                .forEach(v -> variants.add(Map.of(
                        "name",
                        v.name(),
                        "model",
                        v.model().shorthand(),
                        "description",
                        v.model().describe(),
                        "settings",
                        v.settings())));
        doc.put("variants", e.variants().stream().map(Variant::name).toList());
        doc.put("models", variants);
        doc.put("seeds", e.seeds());
        doc.put("input", inputDoc(e.input()));
        doc.put("training", e.training());
        doc.put("tables", e.tables());
        Path file = e.output().resolve("experiment.json");
        Path tmp = e.output().resolve(".experiment.json.tmp");
        JSON.writeValue(tmp.toFile(), doc);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeSpec(Path file, Experiment e, Variant v, Composition c, long seed) throws IOException {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("experiment", e.name());
        spec.put("variant", v.name());
        spec.put("model", c.spec().shorthand());
        spec.put("stem", c.backbone().stem());
        spec.put("width", c.backbone().width());
        spec.put("seed", seed);
        spec.put(
                "dataset",
                Map.of("type", e.dataset().type(), "options", e.dataset().options()));
        if (e.test() != null) {
            spec.put("test", Map.of("type", e.test().type(), "options", e.test().options()));
        }
        if (e.validationSet() != null) {
            spec.put(
                    "validation",
                    Map.of(
                            "type",
                            e.validationSet().type(),
                            "options",
                            e.validationSet().options()));
        } else {
            spec.put("validation", e.validation());
            spec.put("split_seed", e.splitSeed());
            spec.put("split_by", e.splitBy().name().toLowerCase(java.util.Locale.ROOT));
        }
        spec.put("input", inputDoc(e.input()));
        spec.put("training", v.training());
        YamlDoc.YAML.writeValue(file.toFile(), spec);
    }

    /** The input as files record it: {@code resize} only where it is not the size, as before it existed. */
    private static Map<String, Object> inputDoc(InputSpec input) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("size", input.size());
        doc.put("channels", input.channels());
        if (input.resize() != input.size()) {
            doc.put("resize", input.resize());
        }
        return doc;
    }

    private static Map<String, Object> manifest(
            Plan plan, Variant v, Composition c, long seed, long parameters, Instant started, Trainer.Outcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "complete");
        m.put("experiment", plan.experiment().name());
        m.put("variant", v.name());
        m.put("model", c.spec().shorthand());
        m.put("description", c.spec().describe());
        m.put("stem", c.backbone().stem());
        m.put("width", c.backbone().width());
        m.put("seed", seed);
        m.put("parameters", parameters);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("description", plan.dataset().describe());
        data.put("fingerprint", plan.dataset().fingerprint());
        data.put("size", plan.dataset().size());
        data.put("classes", plan.dataset().classes());
        data.put("train", plan.split().train().length);
        data.put("validation", plan.split().validation().length);
        data.put("split", plan.split().how());
        if (plan.test() != null) {
            data.put(
                    "test",
                    Map.of(
                            "description",
                            plan.test().describe(),
                            "size",
                            plan.test().size(),
                            "fingerprint",
                            String.valueOf(plan.test().fingerprint())));
        }
        m.put("dataset", data);
        Map<String, Object> versions = new LinkedHashMap<>();
        // the bundle's Implementation-Version: the project version and the commit built (parent pom)
        String version = ExperimentRunner.class.getPackage().getImplementationVersion();
        versions.put("attnfer", version == null ? "unknown (classes outside a built bundle)" : version);
        versions.put("djl", Engine.getDjlVersion());
        versions.put(
                "engine",
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        m.put("versions", versions);
        m.put(
                "hardware",
                Map.of(
                        "cores",
                        Runtime.getRuntime().availableProcessors(),
                        "os",
                        System.getProperty("os.name") + " " + System.getProperty("os.version"),
                        "arch",
                        System.getProperty("os.arch"),
                        "max_heap_mb",
                        Runtime.getRuntime().maxMemory() >> 20));
        m.put("compute", ComputeSettings.describe());
        m.put("started", started.toString());
        m.put("finished", Instant.now().toString());
        m.put("resumed_after_epoch", outcome.resumedAfter());
        return m;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
