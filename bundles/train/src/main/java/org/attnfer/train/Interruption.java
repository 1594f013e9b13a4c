package org.attnfer.train;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop training soon and resumably, as a cluster's scheduler makes one with SIGTERM
 * before a time limit or a preemption: the trainer finishes the step it is in, writes its
 * checkpoint, position in the epoch included, and throws {@link TrainingInterruptedException}; a
 * later run resumes at the next step and ends as an uninterrupted run would.
 *
 * <p>One per process: the request comes from outside the work (a shutdown hook), and the work
 * says when it has wound down ({@link #settled}), so that the hook can wait for the checkpoint.
 */
public final class Interruption {

    private static volatile boolean requested;
    private static volatile CountDownLatch settled = new CountDownLatch(1);

    private Interruption() {}

    /** Asks the training of this process to stop after its current step. */
    public static void request() {
        requested = true;
    }

    /** Whether a stop was asked for. */
    public static boolean requested() {
        return requested;
    }

    /** Says that the work has wound down: its checkpoint is written and its locks are released. */
    public static void settled() {
        settled.countDown();
    }

    /** Waits until the work has wound down, at most {@code limit}; whether it did. */
    public static boolean awaitSettled(Duration limit) throws InterruptedException {
        return settled.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Forgets a request, for the next work in the same process (tests). */
    static void clear() {
        requested = false;
        settled = new CountDownLatch(1);
    }
}
