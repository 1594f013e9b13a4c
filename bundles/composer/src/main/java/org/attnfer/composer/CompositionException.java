package org.attnfer.composer;

/** A model that cannot be composed; the message names the model, the module and the place. */
public final class CompositionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public CompositionException(String message) {
        super(message);
    }

    /** Creates the exception with its cause. */
    public CompositionException(String message, Throwable cause) {
        super(message, cause);
    }
}
