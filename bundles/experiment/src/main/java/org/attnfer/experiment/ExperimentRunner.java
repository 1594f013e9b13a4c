package org.attnfer.experiment;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.attnfer.api.Explainable;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.composer.CompositionException;
import org.attnfer.composer.ModelSpec;
import org.attnfer.data.Split;
import org.attnfer.eval.Metrics;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.WeightInit;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.nn.io.WeightFile;
import org.attnfer.train.EpochListener;
import org.attnfer.train.EpochResult;
import org.attnfer.train.FineTuning;
import org.attnfer.train.Predictions;
import org.attnfer.train.Trainer;
import org.attnfer.train.TrainingInterruptedException;

/**
 * Runs an experiment: checks everything first (datasets, every variant's composition), then trains
 * cells of its grid (a variant with a seed, {@link Cell}) into run folders ({@link RunFolder}).
 *
 * <p>Each cell is trained under its own lock ({@link CellLock}), so several processes, on one host
 * or many sharing the output folder, can work on one experiment: a complete cell is skipped, an
 * interrupted one resumes from its checkpoint, and a cell another process is training is left to
 * it. One runner per experiment, made by the experiment's own child injector where the experiment
 * is bound.
 */
public class ExperimentRunner {

    // enums written as experiment files spell them (their toString)
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

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
        distinctFolders(e);
        List<Long> parameters = new ArrayList<>();
        for (Variant v : e.variants()) {
            parameters.add(trainableCount(compose(v, e, dataset).block(), e));
        }
        return new Plan(e, dataset, test, split, parameters, Cell.of(e));
    }

    /**
     * Counts before training; blocks whose parameter shapes follow the input (DJL's own layers, in plug-ins) are
     * initialised first.
     */
    private static long trainableCount(Block block, Experiment e) {
        if (StateDict.parameters(block).values().stream().anyMatch(p -> p.getShape() == null)) {
            try (NDManager manager = NDManager.newBaseManager()) {
                block.initialize(
                        manager,
                        DataType.FLOAT32,
                        new Shape(
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

    /** Loads a variant's starting weights into its fresh network; returns what was done, for the manifest. */
    private static Map<String, Object> initialise(Block block, WeightSource source, PrintStream out)
            throws IOException {
        WeightFile file = WeightFile.read(source.weights());
        WeightInit.Report report;
        try {
            report = WeightInit.apply(block, file.values(), source.prefix(), source.skip());
        } catch (IllegalArgumentException ex) {
            throw new ExperimentException(source.weights() + ": " + ex.getMessage());
        }
        file.notes().forEach(n -> out.println("   init: " + n));
        out.println("   init from " + source.weights().getFileName() + ": " + report.describe());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weights", source.weights().toString());
        m.put("prefix", source.prefix());
        m.put("skip", source.skip());
        m.put("notes", file.notes());
        m.putAll(report.toMap());
        return m;
    }

    private Composition compose(Variant v, Experiment e, Dataset dataset) {
        try {
            return composer.compose(
                    v.model(), e.input().channels(), dataset.classes().size());
        } catch (CompositionException ex) {
            throw new ExperimentException(v.where() + " variant '" + v.name() + "': " + ex.getMessage());
        }
    }

    /**
     * The names of the modules' own parameters: those the plain backbone does not have. Only
     * fine-tuning controls need them.
     */
    private Set<String> moduleParameters(Variant v, Composition c, Experiment e, Dataset dataset) {
        if (v.training().fineTuning().equals(FineTuning.NONE)
                || v.model().modules().isEmpty()) {
            return Set.of();
        }
        ModelSpec plain = new ModelSpec(
                v.model().backbone(), v.model().stem(), List.of(), v.model().width());
        Set<String> backbone = StateDict.parameters(composer.compose(
                                plain, e.input().channels(), dataset.classes().size())
                        .block())
                .keySet();
        Set<String> out = new LinkedHashSet<>(StateDict.parameters(c.block()).keySet());
        out.removeAll(backbone);
        return out;
    }

    /** Two variants whose names make the same folder would share one run folder: refused, naming both. */
    private static void distinctFolders(Experiment e) {
        Map<String, Variant> byFolder = new HashMap<>();
        for (Variant v : e.variants()) {
            Variant other = byFolder.putIfAbsent(v.folder().toLowerCase(Locale.ROOT), v);
            if (other != null) {
                throw new ExperimentException(v.where() + " variants '" + other.name() + "' and '" + v.name()
                        + "' would share the run folder " + v.folder()
                        + " (folders keep letters, digits and + - _ . =, and ignore case): rename one of them");
            }
        }
    }

    /**
     * Writes the study's own files into its output folder ({@code experiment.json}), as the first
     * run of a cell would: for scheduling cells elsewhere and following them ({@code fer status}).
     */
    public void writeStudy(Plan plan) throws IOException {
        StudyFiles.write(plan);
    }

    /** Starts one cell in a process of its own, which trains it with {@link #runCells}. */
    @FunctionalInterface
    public interface CellProcess {
        /** Starts the process; its standard output and error are read as one stream. */
        Process start(Cell cell) throws IOException;
    }

    /** Trains every cell that is not complete yet, one after another in this JVM. */
    public List<RunResult> run(Plan plan, PrintStream out) throws IOException {
        return run(plan, out, null, 1);
    }

    /**
     * Trains every cell that is not complete yet, up to {@code parallel} at a time in processes of
     * their own when {@code processes} is given.
     *
     * @param plan a checked experiment
     * @param out where the account of the runs goes; a process's lines are prefixed with its cell
     * @param processes starts a cell's process, or {@code null} to train in this JVM
     * @param parallel how many cells run at once (with {@code processes})
     * @return one result per complete run, in grid order
     */
    public List<RunResult> run(Plan plan, PrintStream out, CellProcess processes, int parallel) throws IOException {
        StudyFiles.write(plan);
        header(plan, out, processes != null ? " (" + parallel + " processes at a time)" : "");
        Outcomes outcomes = new Outcomes();
        if (processes == null) {
            for (Cell c : plan.cells()) {
                trainHere(plan, c, out, outcomes);
            }
        } else {
            List<Cell> pending = new ArrayList<>();
            for (Cell c : plan.cells()) {
                RunResult before = new RunFolder(plan.experiment(), c).completed();
                if (before != null) {
                    outcomes.results.put(c.index(), before);
                } else {
                    pending.add(c);
                }
            }
            for (CellScheduler.Ended end : new CellScheduler(processes::start, parallel, out).run(pending)) {
                RunResult result = new RunFolder(plan.experiment(), end.cell()).completed();
                if (end.exitCode() == 0 && result != null) {
                    outcomes.results.put(end.cell().index(), fresh(result));
                } else if (end.exitCode() == CellLock.HeldException.EXIT_CODE) {
                    outcomes.held.add(end.cell().describe() + " is being trained by another process");
                } else {
                    outcomes.failed(
                            end.cell(),
                            "its process ended with exit code " + end.exitCode() + " (its output is above)",
                            out);
                }
            }
        }
        return summary(plan, outcomes, out);
    }

    /**
     * Trains the given cells one after another in this JVM ({@code fer run --cell K} or {@code
     * --shard I/N}).
     *
     * @throws CellLock.HeldException when the one cell asked for is being trained by another process
     */
    public List<RunResult> runCells(Plan plan, List<Cell> cells, PrintStream out) throws IOException {
        StudyFiles.write(plan);
        if (cells.size() == 1) {
            // one cell: its process's exit code says what happened to it
            return List.of(train(plan, cells.get(0), out));
        }
        Outcomes outcomes = new Outcomes();
        for (Cell c : cells) {
            trainHere(plan, c, out, outcomes);
        }
        return summary(plan, outcomes, out);
    }

    /** What became of the cells of one {@code run}. */
    private static final class Outcomes {
        final Map<Integer, RunResult> results = new TreeMap<>();
        final List<String> held = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        void failed(Cell c, String why, PrintStream out) {
            String what = c.describe() + ": " + why;
            failures.add(what);
            out.println("   FAILED " + what + " (its checkpoint, if any, is kept; run again to resume)");
        }
    }

    private void trainHere(Plan plan, Cell c, PrintStream out, Outcomes outcomes) {
        try {
            outcomes.results.put(c.index(), train(plan, c, out));
        } catch (CellLock.HeldException held) {
            outcomes.held.add(c.describe() + ": " + held.getMessage());
            out.println("   " + c.describe() + " is being trained elsewhere: " + held.getMessage());
        } catch (TrainingInterruptedException stopped) {
            throw stopped;
        } catch (IOException | RuntimeException ex) {
            // one run that fails (a diverging loss, a broken plug-in) must not cost the others
            outcomes.failed(c, ex.getMessage(), out);
            if (System.getenv("FER_DEBUG") != null) {
                ex.printStackTrace(out);
            }
        }
    }

    private static RunResult fresh(RunResult r) {
        return new RunResult(r.variant(), r.seed(), r.dir(), r.accuracy(), r.macroF1(), false);
    }

    private static void header(Plan plan, PrintStream out, String how) {
        Experiment e = plan.experiment();
        out.println("Experiment " + e.name() + ": " + e.variants().size() + " variants × "
                + e.seeds().size() + " seeds = " + plan.cells().size() + " cells → " + e.output() + how);
        out.println("  data: " + plan.dataset().describe());
        out.println("  input: " + e.input().describe());
        out.println("  split: " + plan.split().train().length + " training, "
                + plan.split().validation().length + " validation, "
                + plan.split().how()
                + (e.validationSet() == null ? " (seed " + e.splitSeed() + ")" : ""));
        if (plan.test() != null) {
            out.println("  test: " + plan.test().describe());
        }
    }

    private static List<RunResult> summary(Plan plan, Outcomes outcomes, PrintStream out) {
        out.println();
        String set = plan.test() != null ? "TEST" : "VAL";
        out.println(String.format(Locale.ROOT, "%-28s %6s %10s %10s", "VARIANT", "SEED", set + " ACC", "MACRO-F1"));
        List<RunResult> results = List.copyOf(outcomes.results.values());
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
        if (!outcomes.held.isEmpty()) {
            out.println(outcomes.held.size() + " cells are being trained by other processes: "
                    + String.join("; ", outcomes.held));
        }
        if (!outcomes.failures.isEmpty()) {
            throw new ExperimentException(outcomes.failures.size() + " of "
                    + (results.size() + outcomes.failures.size() + outcomes.held.size()) + " runs failed: "
                    + String.join("; ", outcomes.failures));
        }
        return results;
    }

    /**
     * Trains one cell under its lock, unless it is complete.
     *
     * @throws CellLock.HeldException when another process is training it
     */
    RunResult train(Plan plan, Cell cell, PrintStream out) throws IOException {
        RunFolder folder = new RunFolder(plan.experiment(), cell);
        RunResult before = folder.completed();
        if (before != null) {
            return before;
        }
        try (CellLock lock = CellLock.acquire(folder.dir())) {
            // complete meanwhile, by the process that held the lock before
            before = folder.completed();
            if (before != null) {
                return before;
            }
            try {
                return trainLocked(plan, cell, folder, out);
            } catch (TrainingInterruptedException stopped) {
                // not a failure: the next run resumes where it stopped
                throw stopped;
            } catch (IOException | RuntimeException e) {
                folder.recordFailure(e.getMessage());
                throw e;
            }
        }
    }

    private RunResult trainLocked(Plan plan, Cell cell, RunFolder folder, PrintStream out) throws IOException {
        Experiment e = plan.experiment();
        Variant v = cell.variant();
        long seed = cell.seed();
        long parameters = plan.parameters().get(cell.variantIndex());
        out.println();
        out.println("== " + v.name() + " (" + v.model().describe() + ", "
                + String.format(Locale.ROOT, "%,d", parameters) + " parameters), seed " + seed + ", cell "
                + cell.index());
        v.training().precision().warning("training.precision").ifPresent(out::println);
        folder.prepare();
        Path partial = folder.partial();
        Instant started = Instant.now();
        Composition c = compose(v, e, plan.dataset());
        Metrics metrics;
        Trainer.Outcome outcome;
        long macs;
        Map<String, Object> init = null;
        try (Model model = Model.newInstance(v.folder())) {
            model.setBlock(c.block());
            trainer.initialize(model, e.input(), seed);
            if (v.init() != null) {
                init = initialise(model.getBlock(), v.init(), out);
            }
            macs = ModelStats.trace(
                            model.getBlock(),
                            new Shape(
                                    e.input().channels(),
                                    e.input().size(),
                                    e.input().size()))
                    .get(0)
                    .macs();
            outcome = trainer.train(
                    model,
                    plan.dataset(),
                    plan.split(),
                    e.input(),
                    v.training(),
                    seed,
                    partial,
                    new EpochListener() {
                        @Override
                        public void epoch(EpochResult result, Predictions validation) throws IOException {
                            folder.appendEpoch(result);
                        }

                        @Override
                        public void resumed(List<EpochResult> history) throws IOException {
                            folder.rewriteEpochs(history);
                            out.println("   resuming after epoch " + history.size());
                        }
                    },
                    moduleParameters(v, c, e, plan.dataset()));
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
            Map<String, Double> focus = Map.of();
            if (model.getBlock() instanceof Explainable) {
                focus = Explanations.write(model, evalSet, items, e.input(), partial.resolve(Explanations.FILE));
            } else {
                // a plug-in backbone that names no layer still gets its metrics; only the maps are missing
                out.println("   no heat maps: the " + c.spec().backbone()
                        + " network names no Grad-CAM layer (org.attnfer.api.Explainable)");
            }
            if (!focus.isEmpty()) {
                m.put("focus", focus);
            }
            folder.writeJson("metrics.json", m);
        }
        folder.writeYaml("spec.resolved.yaml", RunDocuments.spec(e, v, c, seed));
        Map<String, Object> manifest = RunDocuments.manifest(plan, cell, c, parameters, started, outcome);
        if (init != null) {
            manifest.put("init", init);
        }
        manifest.put("macs", macs);
        // after the model is closed: what a grid keeps from one run to the next
        manifest.put(
                "memory",
                Map.of("resident_mb", ProcessMemory.residentMb(), "peak_resident_mb", ProcessMemory.peakResidentMb()));
        folder.writeJson("manifest.json", manifest);
        folder.complete();
        out.println(String.format(
                Locale.ROOT,
                "   %s accuracy %.4f, macro-F1 %.4f (best epoch %d of %d) → %s",
                plan.test() != null ? "test" : "validation",
                metrics.accuracy(),
                metrics.macroF1(),
                outcome.bestEpoch(),
                outcome.history().size(),
                folder.dir()));
        return new RunResult(v.name(), seed, folder.dir(), metrics.accuracy(), metrics.macroF1(), false);
    }
}
