package org.attnfer.cli.internal;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.attnfer.data.Augmentation;
import org.attnfer.experiment.Cell;
import org.attnfer.experiment.Experiment;
import org.attnfer.experiment.ExperimentReader;
import org.attnfer.experiment.ExperimentRunner;
import org.attnfer.experiment.Plan;
import org.attnfer.experiment.Variant;
import org.attnfer.train.TrainingConfig;
import org.attnfer.train.TrainingInterruptedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer run}: trains every variant × seed of an experiment file. */
@Command(
        name = "run",
        description = {
            "Train every variant × seed of an experiment file into run folders.",
            "Everything is checked first (keys, values, dataset, every model); complete runs are skipped",
            "when the experiment runs again. Progress goes to standard error, results to standard output."
        })
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "The experiment file (YAML).")
    Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a setting of the file, e.g. --set training.epochs=1 --set dataset.path=faces/.")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--output",
            paramLabel = "DIR",
            description = "Where the run folders go (default: the file's output, or runs/NAME).")
    Path output;

    @Option(names = "--dry-run", description = "Check the experiment and show the grid without training.")
    boolean dryRun;

    @Option(
            names = "--parallel",
            converter = Bounds.AtLeastOne.class,
            paramLabel = "N",
            defaultValue = "1",
            description = "Train up to N cells at once, each in a JVM of its own that gets cores/N threads; a cell that"
                    + " crashes its JVM costs only itself (default: ${DEFAULT-VALUE}, cells one after another "
                    + "in this JVM).")
    int parallel;

    @Option(
            names = "--cell",
            paramLabel = "K",
            description = "Train only cell K of the grid (--dry-run lists the cells with their indices); exits with "
                    + "75 when another process is training it.")
    Integer cell;

    @Option(
            names = "--shard",
            paramLabel = "I/N",
            converter = Shard.Converter.class,
            description = "Train the cells whose index is I modulo N, one after another (0 ≤ I < N).")
    Shard shard;

    @Spec
    CommandSpec spec;

    private final Injector injector;

    @Inject
    RunCommand(Injector injector) {
        this.injector = injector;
    }

    @Override
    public Integer call() throws Exception {
        List<String> settings = new ArrayList<>(overrides);
        if (output != null) {
            settings.add("output=" + output.toAbsolutePath());
        }
        Experiment experiment =
                ExperimentReader.read(file, settings, Path.of("").toAbsolutePath());
        // each experiment runs in its own child injector, with the experiment bound
        ExperimentRunner runner = injector.createChildInjector(
                        b -> b.bind(Experiment.class).toInstance(experiment))
                .getInstance(ExperimentRunner.class);
        Plan plan = runner.plan();
        PrintStream out = System.out;
        if (cell != null && shard != null) {
            throw new IllegalArgumentException("--cell and --shard do not go together");
        }
        if (cell != null && (cell < 0 || cell >= plan.cells().size())) {
            throw new IllegalArgumentException("--cell " + cell + ": the grid has cells 0 to "
                    + (plan.cells().size() - 1) + " (fer run --dry-run lists them)");
        }
        if (dryRun) {
            out.println("Experiment " + experiment.name() + " is valid: "
                    + plan.dataset().describe());
            for (int i = 0; i < experiment.variants().size(); i++) {
                Variant v = experiment.variants().get(i);
                out.println("  " + v.name() + ": " + v.model().describe() + ", "
                        + Table.count(plan.parameters().get(i)) + " parameters, seeds " + experiment.seeds());
            }
            out.println("  input: " + experiment.input().describe());
            out.println("  output: " + experiment.output());
            out.println("  cells (fer run --cell K):");
            for (Cell c : plan.cells()) {
                out.println(String.format(Locale.ROOT, "  %5d  %s", c.index(), c.describe()));
            }
            return 0;
        }
        // SIGTERM (a scheduler's time limit or preemption): finish the step, write the checkpoint, stop
        StopOnTerm stop = StopOnTerm.install(spec.commandLine().getErr());
        try {
            if (cell != null) {
                runner.runCells(plan, List.of(plan.cells().get(cell)), out);
            } else if (shard != null) {
                runner.runCells(plan, shard.of(plan.cells()), out);
            } else {
                runner.run(plan, out, parallel > 1 ? new CellProcesses(file, settings, parallel) : null, parallel);
            }
            return 0;
        } catch (TrainingInterruptedException stopped) {
            spec.commandLine().getErr().println("fer run: " + stopped.getMessage());
            return StopOnTerm.EXIT_CODE;
        } finally {
            stop.settled();
        }
    }

    /** The help's footer: the keys of an experiment file and every training and augmentation option. */
    static String[] keys() {
        List<String> lines = new ArrayList<>(List.of(
                "",
                "Experiment file keys: name, dataset (required), test, validation, split_seed, split_by,",
                "input {size, channels, resize}, variants (required), seeds, sweep, training, augment, tables, output.",
                "input.resize (default: the size): images are resized to it and the network sees size × size",
                "windows of them: random ones in training, the centre in evaluation, corners and centre with tta.",
                "A variant's model: a shorthand (resnet18+simam) or {backbone, stem, width, modules, init}; width",
                "multiplies every layer's channels (0.5: a quarter of the cost); fer modules lists stems and modules.",
                "init: the weights to start from: a file (.pth, .safetensors, .npz) or {weights, prefix, skip: [fc.*]}.",
                "sweep: {training.lr: [0.01, 0.1], augment.erase: [0, 0.5]} runs every variant with every combination.",
                "Dataset kinds and their options: fer data kinds.",
                "",
                "training:"));
        TrainingConfig.OPTIONS.forEach(o -> lines.add("  " + o.describe()));
        lines.add("  freeze {modules: [stem, layer1], epochs: 5}: parts (backbone, modules, head, stem or a name"
                + " prefix such as layer1) that keep their weights and BatchNorm statistics for the first epochs");
        lines.add("  lr_mult {backbone: 0.1, head: 1, modules: 1}: learning-rate multipliers per part (0 to 100)");
        lines.add("augment (true, or a mapping):");
        Augmentation.OPTIONS.forEach(o -> lines.add("  " + o.describe()));
        return lines.toArray(String[]::new);
    }
}
