package org.attnfer.api;

/** The value type of a module or dataset parameter. */
public enum ParamType {
    /** A 32-bit integer. */
    INT,
    /** A double-precision number. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** Free text. */
    STRING,
    /** One of a fixed list of words. */
    CHOICE;

    /** The word used for this type in help texts and error messages. */
    public String word() {
        return switch (this) {
            case INT -> "integer";
            case DOUBLE -> "number";
            case BOOLEAN -> "boolean";
            case STRING -> "text";
            case CHOICE -> "choice";
        };
    }
}
