package org.attnfer.cli.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attnfer.experiment.Cell;
import org.attnfer.experiment.ExperimentRunner;

/**
 * Starts cells of a grid as {@code bin/fer run FILE --cell K} processes with the settings of the
 * run that starts them, each with its share of the cores.
 */
final class CellProcesses implements ExperimentRunner.CellProcess {

    private final Path file;
    private final List<String> settings;
    private final int parallel;

    /**
     * @param file the experiment file
     * @param settings {@code key=value} overrides, as {@code --set} takes them
     * @param parallel how many cells run at once
     */
    CellProcesses(Path file, List<String> settings, int parallel) {
        this.file = file.toAbsolutePath();
        this.settings = List.copyOf(settings);
        this.parallel = parallel;
    }

    @Override
    public Process start(Cell cell) throws IOException {
        String home = System.getProperty("attnfer.home");
        if (home == null) {
            throw new IllegalStateException(
                    "cells in processes of their own need the distribution's bin/fer (attnfer.home is not set)");
        }
        List<String> command =
                new ArrayList<>(List.of(Path.of(home, "bin", "fer").toString(), "run", file.toString()));
        for (String s : settings) {
            command.addAll(List.of("--set", s));
        }
        command.addAll(List.of("--cell", Integer.toString(cell.index())));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment()
                .put(
                        "FER_THREADS",
                        Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / parallel)));
        return pb.start();
    }
}
