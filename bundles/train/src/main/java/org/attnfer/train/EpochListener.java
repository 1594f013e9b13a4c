package org.attnfer.train;

import java.io.IOException;
import java.util.List;

/** Receives each epoch's results as soon as the epoch ends (to log them, checkpoint, stop early). */
@FunctionalInterface
public interface EpochListener {

    /**
     * Called after each epoch.
     *
     * @param result the figures
     * @param validation the validation predictions of this epoch
     */
    void epoch(EpochResult result, Predictions validation) throws IOException;

    /**
     * Called once, before any new epoch, when training resumes from a checkpoint.
     *
     * @param history the epochs done before the interruption
     */
    default void resumed(List<EpochResult> history) throws IOException {}
}
