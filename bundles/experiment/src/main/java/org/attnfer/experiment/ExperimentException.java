package org.attnfer.experiment;

/** An experiment file that cannot run; the message starts with {@code file:line:} and names the key. */
public final class ExperimentException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public ExperimentException(String message) {
        super(message);
    }
}
