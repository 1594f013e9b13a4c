package org.attnfer.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The description of one parameter: its name, type, default, allowed range and documentation. The
 * same description drives validation of experiment files and the help texts of the command line.
 *
 * <p>A {@code null} default means the parameter is optional and has no value unless given.
 *
 * @param name the key, as written in experiment files ({@code reduction})
 * @param type the value type
 * @param defaultValue the default, already of the type's Java class, or {@code null}
 * @param min the smallest allowed number, or {@code null}
 * @param minExclusive whether {@code min} itself is excluded
 * @param max the largest allowed number (inclusive), or {@code null}
 * @param choices the allowed words of a {@link ParamType#CHOICE}, else empty
 * @param doc one sentence for help texts
 */
public record ParamSpec(
        String name,
        ParamType type,
        Object defaultValue,
        Double min,
        boolean minExclusive,
        Double max,
        List<String> choices,
        String doc) {

    /** Checks the description itself. */
    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        choices = List.copyOf(choices == null ? List.of() : choices);
        doc = doc == null ? "" : doc;
        if (type == ParamType.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("choice parameter " + name + " lists no choices");
        }
    }

    /** An integer parameter. */
    public static ParamSpec ofInt(String name, Integer defaultValue, String doc) {
        return new ParamSpec(name, ParamType.INT, defaultValue, null, false, null, List.of(), doc);
    }

    /** A number parameter. */
    public static ParamSpec ofDouble(String name, Double defaultValue, String doc) {
        return new ParamSpec(name, ParamType.DOUBLE, defaultValue, null, false, null, List.of(), doc);
    }

    /** A boolean parameter. */
    public static ParamSpec ofBoolean(String name, boolean defaultValue, String doc) {
        return new ParamSpec(name, ParamType.BOOLEAN, defaultValue, null, false, null, List.of(), doc);
    }

    /** A text parameter. */
    public static ParamSpec ofString(String name, String defaultValue, String doc) {
        return new ParamSpec(name, ParamType.STRING, defaultValue, null, false, null, List.of(), doc);
    }

    /** A parameter that takes one of the given words; the first is the default. */
    public static ParamSpec ofChoice(String name, List<String> choices, String doc) {
        return new ParamSpec(name, ParamType.CHOICE, choices.get(0), null, false, null, choices, doc);
    }

    /** The same parameter with an inclusive lower bound. */
    public ParamSpec atLeast(double lower) {
        return new ParamSpec(name, type, defaultValue, lower, false, max, choices, doc);
    }

    /** The same parameter with an exclusive lower bound. */
    public ParamSpec greaterThan(double lower) {
        return new ParamSpec(name, type, defaultValue, lower, true, max, choices, doc);
    }

    /** The same parameter with an inclusive upper bound. */
    public ParamSpec atMost(double upper) {
        return new ParamSpec(name, type, defaultValue, min, minExclusive, upper, choices, doc);
    }

    /**
     * Converts a raw value (from YAML, JSON or a command line) to this parameter's type and checks
     * its range.
     *
     * @param raw the value as read
     * @return the value as {@link Integer}, {@link Double}, {@link Boolean} or {@link String}
     * @throws IllegalArgumentException with a message naming the parameter when the value does not
     *     fit
     */
    public Object coerce(Object raw) {
        Object value = switch (type) {
            case INT -> toInt(raw);
            case DOUBLE -> toDouble(raw);
            case BOOLEAN -> toBoolean(raw);
            case STRING -> {
                if (raw instanceof String s) {
                    yield s;
                }
                throw fail(raw);
            }
            case CHOICE -> toChoice(raw);
        };
        if (value instanceof Number n) {
            double d = n.doubleValue();
            boolean low = min != null && (minExclusive ? d <= min : d < min);
            if (low || (max != null && d > max)) {
                throw new IllegalArgumentException(name + " must be " + range() + ", got " + raw);
            }
        }
        return value;
    }

    /** The allowed range in words, e.g. {@code ≥ 1} or {@code > 0 and ≤ 1}. */
    public String range() {
        String lower = min == null ? null : (minExclusive ? "> " : "≥ ") + number(min);
        if (lower != null && max != null) {
            return lower + " and ≤ " + number(max);
        }
        if (lower != null) {
            return lower;
        }
        return max != null ? "≤ " + number(max) : "any " + type.word();
    }

    /** One help line: {@code reduction (integer, default 16, ≥ 1): channel reduction ratio r}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(" (").append(type.word());
        if (type == ParamType.CHOICE) {
            sb.append(" of ").append(String.join("|", choices));
        }
        sb.append(", ").append(defaultValue == null ? "optional" : "default " + defaultValue);
        if (min != null || max != null) {
            sb.append(", ").append(range());
        }
        return sb.append("): ").append(doc).toString();
    }

    private Integer toInt(Object raw) {
        if (raw instanceof Integer i) {
            return i;
        }
        if (raw instanceof Number n
                && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        if (raw instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw fail(raw);
            }
        }
        throw fail(raw);
    }

    private Double toDouble(Object raw) {
        double d;
        if (raw instanceof Number n) {
            d = n.doubleValue();
        } else if (raw instanceof String s) {
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw fail(raw);
            }
        } else {
            throw fail(raw);
        }
        // NaN passes every range comparison: refuse it (and infinities) here
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(name + " must be a finite number, got " + raw);
        }
        return d;
    }

    private Boolean toBoolean(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return Boolean.valueOf(t);
            }
        }
        throw fail(raw);
    }

    private String toChoice(Object raw) {
        if (raw instanceof String s && choices.contains(s.trim())) {
            return s.trim();
        }
        throw new IllegalArgumentException(name + " must be one of " + String.join(", ", choices) + ", got " + raw);
    }

    private IllegalArgumentException fail(Object raw) {
        return new IllegalArgumentException(name + " must be " + article(type.word()) + ", got "
                + (raw instanceof String ? "'" + raw + "'" : String.valueOf(raw)));
    }

    private static String article(String word) {
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
