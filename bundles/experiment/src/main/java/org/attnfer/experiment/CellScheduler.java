package org.attnfer.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs cells in processes of their own, up to a number at a time ({@code fer run --parallel N}):
 * a cell that crashes its JVM costs only itself. Each process takes its cell's lock and writes its
 * run folder itself; this class only starts them, relays their output with the cell as a prefix
 * and collects how they ended.
 */
final class CellScheduler {

    /** Starts one cell's process. */
    @FunctionalInterface
    interface Starter {
        /** Starts the process; its standard output and error are read as one stream. */
        Process start(Cell cell) throws IOException;
    }

    /**
     * How a cell's process ended.
     *
     * @param cell the cell
     * @param exitCode the process's exit code
     */
    record Ended(Cell cell, int exitCode) {}

    private record Running(Cell cell, Process process, Thread pump) {}

    private final Starter starter;
    private final int parallel;
    private final PrintStream out;

    CellScheduler(Starter starter, int parallel, PrintStream out) {
        this.starter = starter;
        this.parallel = parallel;
        this.out = out;
    }

    /** Runs the cells and returns how each ended, in the order they ended. */
    List<Ended> run(List<Cell> cells) throws IOException {
        Deque<Cell> pending = new ArrayDeque<>(cells);
        List<Running> running = new ArrayList<>();
        List<Ended> ended = new ArrayList<>();
        try {
            while (!pending.isEmpty() || !running.isEmpty()) {
                while (running.size() < parallel && !pending.isEmpty()) {
                    running.add(start(pending.poll()));
                }
                running.get(0).process().waitFor(200, TimeUnit.MILLISECONDS);
                for (Running r : List.copyOf(running)) {
                    if (!r.process().isAlive()) {
                        r.pump().join();
                        running.remove(r);
                        ended.add(new Ended(r.cell(), r.process().exitValue()));
                    }
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        } finally {
            running.forEach(r -> r.process().destroy());
        }
        return ended;
    }

    private Running start(Cell cell) throws IOException {
        Process p = starter.start(cell);
        String prefix = "[" + cell.describe() + "] ";
        Thread pump = new Thread(() -> copyLines(p, prefix), "output of " + prefix.strip());
        pump.start();
        return new Running(cell, p, pump);
    }

    private void copyLines(Process p, String prefix) {
        try (BufferedReader in = p.inputReader()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (out) {
                    out.println(prefix + line);
                }
            }
        } catch (IOException ex) {
            out.println(prefix + "(its output could not be read: " + ex.getMessage() + ")");
        }
    }
}
