package org.attnfer.cli.internal;

import com.google.inject.Injector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attnfer.experiment.Experiment;
import org.attnfer.experiment.ExperimentReader;
import org.attnfer.experiment.ExperimentRunner;
import org.attnfer.experiment.Plan;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The study a cluster command writes jobs for: an experiment file with its overrides and output
 * folder, checked and frozen into one file that every node runs, so that all cells see the same spec.
 */
final class FrozenStudy {

    @Parameters(index = "0", paramLabel = "STUDY", description = "The experiment file (YAML).")
    Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a setting of the file (frozen into the study, for every cell).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", description = "The study's output folder (default: the file's).")
    Path output;

    /**
     * What was frozen.
     *
     * @param experiment the experiment as every node reads it
     * @param plan its grid
     * @param output the output folder, absolute
     * @param study the frozen experiment file
     */
    record Frozen(Experiment experiment, Plan plan, Path output, Path study) {}

    /**
     * Freezes the study into {@code OUTPUT/folder/study.yaml} and writes its study files.
     *
     * @param folder the jobs' folder in the output ({@code slurm}, {@code k8s})
     */
    Frozen freeze(Injector injector, String folder) throws IOException {
        List<String> settings = new ArrayList<>(overrides);
        Path cwd = Path.of("").toAbsolutePath();
        Experiment read = ExperimentReader.read(file, settings, cwd);
        Path out = (output != null ? output : read.output()).toAbsolutePath().normalize();
        settings.add("output=" + out);
        Path study = out.resolve(folder).resolve("study.yaml");
        Experiment experiment = ExperimentReader.freeze(file, settings, cwd, study);
        ExperimentRunner runner = injector.createChildInjector(
                        b -> b.bind(Experiment.class).toInstance(experiment))
                .getInstance(ExperimentRunner.class);
        Plan plan = runner.plan();
        runner.writeStudy(plan);
        return new Frozen(experiment, plan, out, study);
    }
}
