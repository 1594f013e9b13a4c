package org.attnfer.cli.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.attnfer.train.Interruption;

/**
 * What {@code fer run} does on SIGTERM, as a cluster's scheduler sends it before a time limit or a
 * preemption: the JVM starts to shut down and runs this hook, which asks the training to stop
 * after its current step ({@link Interruption}) and waits until the checkpoint is written and the
 * cell's lock released. In a Slurm job that {@code fer slurm} wrote ({@code FER_SLURM_REQUEUE=1}),
 * it then asks Slurm to requeue the task, which resumes from that checkpoint.
 */
final class StopOnTerm {

    /** The exit code after a stop on request: 128 + SIGTERM, as a shell reports it. */
    static final int EXIT_CODE = 143;
    // Slurm's --signal=B:TERM@120 leaves two minutes before the kill; keep some of them for the requeue
    private static final Duration WAIT = Duration.ofSeconds(100);

    private final PrintWriter err;
    private volatile boolean done;

    private StopOnTerm(PrintWriter err) {
        this.err = err;
    }

    /** Installs the hook for the work that follows; call {@link #settled} when the work has wound down. */
    static StopOnTerm install(PrintWriter err) {
        StopOnTerm stop = new StopOnTerm(err);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::onShutdown, "stop on SIGTERM"));
        return stop;
    }

    /** The work has ended, normally or not: a shutdown after this needs nothing. */
    void settled() {
        Interruption.settled();
        done = true;
    }

    private void onShutdown() {
        if (done) {
            return;
        }
        Interruption.request();
        err.println("fer run: stopping after the current step (SIGTERM)");
        err.flush();
        try {
            if (!Interruption.awaitSettled(WAIT)) {
                err.println("fer run: the work did not stop within " + WAIT.toSeconds() + " s; the last "
                        + "epoch's checkpoint is kept");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        requeue();
    }

    private void requeue() {
        String job = System.getenv("SLURM_JOB_ID");
        if (job == null || !"1".equals(System.getenv("FER_SLURM_REQUEUE"))) {
            return;
        }
        try {
            Process p = new ProcessBuilder("scontrol", "requeue", job)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            err.println(
                    code == 0
                            ? "fer run: asked Slurm to requeue job " + job + "; it resumes from the checkpoint"
                            : "fer run: scontrol requeue " + job + " failed: " + output.strip());
        } catch (IOException e) {
            err.println("fer run: cannot run scontrol to requeue job " + job + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.flush();
    }
}
