package org.attnfer.train;

/** Training cannot go on (the loss is no longer finite). */
public final class TrainingException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public TrainingException(String message) {
        super(message);
    }
}
