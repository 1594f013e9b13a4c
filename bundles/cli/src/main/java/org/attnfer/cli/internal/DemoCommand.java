package org.attnfer.cli.internal;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.attnfer.experiment.Experiment;
import org.attnfer.experiment.ExperimentReader;
import org.attnfer.experiment.ExperimentRunner;
import org.attnfer.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fer demo}: the study's comparisons on the embedded benchmark, then the report. */
@Command(
        name = "demo",
        description = {
            "Train and compare the study's variants (its Tables 1-3 and the module comparison) on the embedded",
            "synthetic-face benchmark, then write the report and print where it is. Needs no data and no network.",
            "The quick demo uses ResNet18 at small budgets (about 10 minutes on 2 cores); --full uses ResNet50 and",
            "the budget of a real comparison (hours). Runs that finished before are not trained again."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--full", description = "ResNet50, more data, more epochs and three seeds.")
    boolean full;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            description = "Where the runs and the report go (default: runs/demo or runs/demo-full).")
    Path output;

    @Option(
            names = "--parallel",
            converter = Bounds.AtLeastOne.class,
            paramLabel = "N",
            defaultValue = "2",
            description = "Train N variants at once, each in a JVM of its own with cores/N threads (default: "
                    + "${DEFAULT-VALUE};"
                    + " small networks use two single-threaded processes better than one with two threads).")
    int parallel;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a setting of the demo experiment, e.g. --set training.epochs=2.")
    List<String> overrides = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Injector injector;
    private final ReportSections sections;

    @Inject
    DemoCommand(Injector injector, ReportSections sections) {
        this.injector = injector;
        this.sections = sections;
    }

    @Override
    public Integer call() throws Exception {
        String name = full ? "demo-full" : "demo";
        Path dir = (output != null ? output : Path.of("runs", name)).toAbsolutePath();
        Files.createDirectories(dir);
        // the experiment file lands beside its runs, so the demo can be rerun or edited as a normal experiment
        Path file = dir.resolve(name + ".yaml");
        try (InputStream in = DemoCommand.class.getResourceAsStream(name + ".yaml")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> settings = new ArrayList<>(overrides);
        settings.add("output=" + dir);
        Experiment experiment = ExperimentReader.read(file, settings, dir);
        ExperimentRunner runner = injector.createChildInjector(
                        b -> b.bind(Experiment.class).toInstance(experiment))
                .getInstance(ExperimentRunner.class);
        PrintStream out = System.out;
        long start = System.nanoTime();
        runner.run(runner.plan(), out, parallel > 1 ? new CellProcesses(file, settings, parallel) : null, parallel);
        Path index = Report.write(dir, dir.resolve("report"), sections.all());
        out.printf(
                Locale.ROOT,
                "%nDemo finished in %.1f minutes.%nReport: %s%n",
                (System.nanoTime() - start) / 6e10,
                index);
        return 0;
    }
}
