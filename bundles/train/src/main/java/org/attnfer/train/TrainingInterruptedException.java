package org.attnfer.train;

/**
 * Training stopped on request ({@link Interruption}) after writing a checkpoint that a later run
 * resumes from.
 */
public final class TrainingInterruptedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public TrainingInterruptedException(String message) {
        super(message);
    }
}
