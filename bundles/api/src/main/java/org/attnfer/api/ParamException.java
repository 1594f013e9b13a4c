package org.attnfer.api;

/** A parameter value that does not fit its description; knows the parameter's name. */
public final class ParamException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the parameter's name
     * @param message the problem, naming the parameter
     */
    public ParamException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The parameter's name. */
    public String key() {
        return key;
    }
}
