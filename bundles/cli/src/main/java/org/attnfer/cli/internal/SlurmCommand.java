package org.attnfer.cli.internal;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.attnfer.experiment.Experiment;
import org.attnfer.experiment.Plan;
import org.attnfer.experiment.StudyStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fer slurm}: a study as a Slurm job array and a report job. */
@Command(
        name = "slurm",
        description = {
            "Write a study's Slurm scripts: a job array with one task per cell (each task runs fer run STUDY --cell "
                    + "K) and a report job that runs when the array has ended.",
            "The experiment is checked and frozen into OUTPUT/slurm/study.yaml first (--set overrides applied, paths "
                    + "made absolute), so every task runs the same spec. On SIGTERM a task writes its checkpoint and "
                    + "requeues itself; the requeued task resumes. Without --submit the scripts are only written, "
                    + "to inspect and submit with sbatch. The output folder must be visible from every node.",
            "fer status OUTPUT follows the study; docs/cluster.md explains the whole path."
        })
final class SlurmCommand implements Callable<Integer> {

    @Mixin
    FrozenStudy study;

    @Option(names = "--partition", description = "Slurm partition.")
    String partition;

    @Option(names = "--account", description = "Slurm account.")
    String account;

    @Option(names = "--time", paramLabel = "LIMIT", description = "Time limit of each cell, e.g. 04:00:00.")
    String time;

    @Option(
            names = "--cpus-per-task",
            paramLabel = "N",
            converter = Bounds.AtLeastOne.class,
            defaultValue = "2",
            description = "Cores per cell, also its compute threads (default: ${DEFAULT-VALUE}).")
    int cpusPerTask;

    @Option(names = "--mem", description = "Memory per cell, e.g. 8G.")
    String mem;

    @Option(names = "--gres", description = "Generic resources per cell, e.g. gpu:1.")
    String gres;

    @Option(names = "--gpus", description = "GPUs per cell.")
    String gpus;

    @Option(
            names = "--max-parallel",
            paramLabel = "P",
            converter = Bounds.AtLeastZero.class,
            defaultValue = "0",
            description = "At most P cells at once (the array's %P); 0 is no limit (default).")
    int maxParallel;

    @Option(
            names = "--shards",
            paramLabel = "N",
            converter = Bounds.AtLeastZero.class,
            defaultValue = "0",
            description = "N array tasks, each training every N-th cell in turn (--shard I/N), for grids larger "
                    + "than the cluster's array limit; 0: one task per cell (default).")
    int shards;

    @Option(
            names = "--sbatch",
            paramLabel = "LINE",
            description = "One more #SBATCH line for both scripts, e.g. --sbatch '--qos=long' (repeatable).")
    List<String> extra = new ArrayList<>();

    @Option(
            names = "--launcher",
            paramLabel = "COMMAND",
            description = "How the nodes start AttnFER (default: this distribution's bin/fer).")
    String launcher;

    @Option(names = "--submit", description = "Submit both jobs with sbatch and print their ids.")
    boolean submit;

    @Option(
            names = "--wait",
            description = "With --submit: wait until both jobs have ended; exit non-zero naming the cells that did "
                    + "not complete and their logs.")
    boolean await;

    @Option(
            names = "--poll",
            paramLabel = "SECONDS",
            converter = Bounds.Positive.class,
            defaultValue = "10",
            description = "With --wait: seconds between looks at the queue (default: ${DEFAULT-VALUE}).")
    double poll;

    @Spec
    CommandSpec spec;

    private final Injector injector;

    @Inject
    SlurmCommand(Injector injector) {
        this.injector = injector;
    }

    @Override
    public Integer call() throws Exception {
        if (await && !submit) {
            throw new IllegalArgumentException("--wait waits for submitted jobs: add --submit");
        }
        FrozenStudy.Frozen frozen = study.freeze(injector, SlurmScripts.FOLDER);
        Experiment experiment = frozen.experiment();
        Plan plan = frozen.plan();
        Path out = frozen.output();
        Path dir = SlurmScripts.dir(out);
        SlurmScripts scripts = new SlurmScripts(
                experiment.name(),
                dir.resolve("study.yaml"),
                out,
                plan.cells().size(),
                new SlurmScripts.Options(
                        launcher != null ? launcher : SlurmScripts.quote(defaultLauncher()),
                        partition,
                        account,
                        time,
                        cpusPerTask,
                        mem,
                        gres,
                        gpus,
                        maxParallel,
                        shards,
                        extra));
        Files.createDirectories(dir.resolve("logs"));
        Path cells = dir.resolve("cells.sbatch");
        Path report = dir.resolve("report.sbatch");
        Files.writeString(cells, scripts.cellsScript());
        Files.writeString(report, scripts.reportScript());
        PrintWriter o = spec.commandLine().getOut();
        o.println("Study " + experiment.name() + ": " + plan.cells().size() + " cells → " + out);
        o.println("  " + cells);
        o.println("  " + report);
        if (!submit) {
            o.println("Submit them with:");
            o.println("  array=$(sbatch --parsable " + cells + ")");
            o.println("  sbatch --dependency=afterany:$array " + report);
            o.println("Follow with: fer status " + out);
            return 0;
        }
        String arrayJob = sbatch(List.of(cells.toString()));
        String reportJob = sbatch(List.of("--dependency=afterany:" + arrayJob, report.toString()));
        Map<String, String> jobs = new LinkedHashMap<>();
        jobs.put("cells", arrayJob);
        jobs.put("report", reportJob);
        Files.writeString(dir.resolve("jobs.json"), Json.text(jobs));
        o.println("Submitted: cells job " + arrayJob + ", report job " + reportJob);
        o.println("Follow with: fer status " + out);
        o.flush();
        if (!await) {
            return 0;
        }
        waitFor(List.of(arrayJob, reportJob));
        StudyStatus status = StudyStatus.read(out);
        List<String> missing = new ArrayList<>();
        for (StudyStatus.CellStatus c : status.cells()) {
            if (c.state() != StudyStatus.State.COMPLETE) {
                missing.add("cell " + c.index() + " (" + c.variant() + " seed " + c.seed() + ") " + c.state()
                        + (c.detail().isEmpty() ? "" : ": " + c.detail()) + ", log "
                        + SlurmScripts.cellLog(out, c.index()));
            }
        }
        if (!missing.isEmpty()) {
            spec.commandLine()
                    .getErr()
                    .println("fer slurm: " + missing.size() + " of "
                            + status.cells().size() + " cells did not complete: " + String.join("; ", missing));
            return 1;
        }
        o.println("All " + status.cells().size() + " cells complete; report: " + out.resolve("report/index.html"));
        return 0;
    }

    private static String defaultLauncher() {
        String home = System.getProperty("attnfer.home");
        if (home == null) {
            throw new IllegalStateException("give --launcher: this process was not started by bin/fer");
        }
        return Path.of(home, "bin", "fer").toString();
    }

    /** Submits a script and returns its job id. */
    private static String sbatch(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
        command.addAll(args);
        String output = run(command);
        // --parsable prints "id" or "id;cluster"
        return output.strip().split(";", -1)[0];
    }

    /** Waits until none of the jobs is in the queue any more (sacct needs a database Slurm may not have). */
    private void waitFor(List<String> jobs) throws IOException, InterruptedException {
        while (true) {
            String queued = run(List.of("squeue", "-h", "-j", String.join(",", jobs), "-o", "%i"));
            if (queued.isBlank()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep((long) (poll * 1000));
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(
                    command.get(0) + " cannot be started (is Slurm installed here?): " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            // squeue on jobs that have left the queue says so and fails: for waiting, that means done
            if (command.get(0).equals("squeue") && output.contains("Invalid job id")) {
                return "";
            }
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
        return output;
    }
}
