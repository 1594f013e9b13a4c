package org.attnfer.cli.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two batch scripts of a study on Slurm: one job array with a task per cell, each task {@code
 * exec}ing {@code fer run STUDY --cell $SLURM_ARRAY_TASK_ID} so that Slurm's signals reach the JVM,
 * and a report job that runs when the array has ended.
 *
 * @param name the study's name (the jobs' names)
 * @param study the frozen experiment file the tasks read
 * @param output the study's output folder
 * @param cells how many cells the grid has
 * @param options what the user set for the jobs
 */
record SlurmScripts(String name, Path study, Path output, int cells, Options options) {

    /**
     * What a user sets for the jobs; {@code null} leaves a setting to the cluster's defaults.
     *
     * @param launcher the command that runs AttnFER on the nodes
     * @param partition {@code --partition}
     * @param account {@code --account}
     * @param time {@code --time} of each cell
     * @param cpusPerTask {@code --cpus-per-task}, which also sets the compute threads
     * @param mem {@code --mem}
     * @param gres {@code --gres}
     * @param gpus {@code --gpus}
     * @param maxParallel at most this many cells at once ({@code %P} of the array), 0 for no limit
     * @param shards 0 for one task per cell; N for N tasks, each training the cells {@code --shard
     *     I/N} one after another (grids beyond a cluster's array limit)
     * @param extra more {@code #SBATCH} lines, as given
     */
    record Options(
            String launcher,
            String partition,
            String account,
            String time,
            int cpusPerTask,
            String mem,
            String gres,
            String gpus,
            int maxParallel,
            int shards,
            List<String> extra) {}

    /** The output's folder for the scripts, logs and job ids. */
    static final String FOLDER = "slurm";

    /** The folder the scripts, logs and job ids go to. */
    static Path dir(Path output) {
        return output.resolve(FOLDER);
    }

    /** The log of cell {@code k}. */
    static Path cellLog(Path output, int k) {
        return dir(output).resolve("logs").resolve("cell-" + k + ".log");
    }

    /** The array script. */
    String cellsScript() {
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        lines.add("# The cells of study " + name + ", one array task per cell (fer run --dry-run lists them).");
        lines.add("#SBATCH --job-name=fer-" + name);
        int tasks = options.shards() > 0 ? options.shards() : cells;
        lines.add("#SBATCH --array=0-" + (tasks - 1) + (options.maxParallel() > 0 ? "%" + options.maxParallel() : ""));
        lines.add("#SBATCH --output=" + dir(output).resolve("logs") + "/cell-%a.log");
        lines.add("#SBATCH --open-mode=append");
        // SIGTERM two minutes before the time limit, to the batch step (the JVM, which exec replaced the shell
        // with): the cell writes its checkpoint and requeues itself
        lines.add("#SBATCH --signal=B:TERM@120");
        lines.add("#SBATCH --requeue");
        common(lines);
        lines.add("");
        lines.add("export FER_THREADS=${SLURM_CPUS_PER_TASK:-1}");
        lines.add("export FER_JAVA_OPTS=\"-XX:ActiveProcessorCount=$FER_THREADS ${FER_JAVA_OPTS:-}\"");
        lines.add("export FER_SLURM_REQUEUE=1");
        lines.add("exec " + options.launcher() + " run " + quote(study.toString())
                + (options.shards() > 0
                        ? " --shard \"$SLURM_ARRAY_TASK_ID/" + options.shards() + "\""
                        : " --cell \"$SLURM_ARRAY_TASK_ID\""));
        return String.join("\n", lines) + "\n";
    }

    /** The report script, submitted to run after the array has ended, however its tasks ended. */
    String reportScript() {
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        lines.add("# The report of study " + name + ", after its cells (a partial grid reports what is complete).");
        lines.add("#SBATCH --job-name=fer-" + name + "-report");
        lines.add("#SBATCH --output=" + dir(output).resolve("logs") + "/report.log");
        common(lines);
        lines.add("");
        lines.add("export FER_THREADS=${SLURM_CPUS_PER_TASK:-1}");
        lines.add("exec " + options.launcher() + " report " + quote(output.toString()));
        return String.join("\n", lines) + "\n";
    }

    private void common(List<String> lines) {
        add(lines, "--partition", options.partition());
        add(lines, "--account", options.account());
        add(lines, "--time", options.time());
        lines.add("#SBATCH --cpus-per-task=" + options.cpusPerTask());
        add(lines, "--mem", options.mem());
        add(lines, "--gres", options.gres());
        add(lines, "--gpus", options.gpus());
        for (String extra : options.extra()) {
            lines.add(extra.startsWith("#SBATCH") ? extra : "#SBATCH " + extra);
        }
    }

    private static void add(List<String> lines, String option, String value) {
        if (value != null) {
            lines.add("#SBATCH " + option + "=" + value);
        }
    }

    /** A shell word: single quotes, with any single quote inside escaped. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
