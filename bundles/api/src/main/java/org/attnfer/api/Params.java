package org.attnfer.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Validated parameter values: every key is known, every value has its declared type and lies in
 * its range, and absent keys carry their defaults.
 */
@ProviderType
public final class Params {

    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Validates raw values against their descriptions.
     *
     * @param specs the accepted parameters
     * @param raw the values as read; may be {@code null}
     * @return the validated values, defaults filled in
     * @throws ParamException naming the first unknown key or bad value
     */
    public static Params validate(List<ParamSpec> specs, Map<String, ?> raw) {
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        Map<String, Object> values = new LinkedHashMap<>();
        if (raw != null) {
            for (Map.Entry<String, ?> e : raw.entrySet()) {
                ParamSpec spec = byName.get(e.getKey());
                if (spec == null) {
                    throw new ParamException(
                            e.getKey(),
                            "unknown parameter '" + e.getKey() + "'"
                                    + (byName.isEmpty()
                                            ? " (this takes no parameters)"
                                            : " (known: " + String.join(", ", new TreeSet<>(byName.keySet())) + ")"));
                }
                if (e.getValue() != null) {
                    try {
                        values.put(spec.name(), spec.coerce(e.getValue()));
                    } catch (IllegalArgumentException ex) {
                        throw new ParamException(spec.name(), ex.getMessage());
                    }
                }
            }
        }
        for (ParamSpec spec : specs) {
            if (!values.containsKey(spec.name()) && spec.defaultValue() != null) {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        specs.forEach(s -> {
            if (values.containsKey(s.name())) {
                ordered.put(s.name(), values.get(s.name()));
            }
        });
        return new Params(ordered);
    }

    /** The defaults of the given parameters. */
    public static Params defaults(List<ParamSpec> specs) {
        return validate(specs, Map.of());
    }

    /** Whether the parameter has a value (given or default). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** An integer value. */
    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    /** A number value. */
    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    /** A boolean value. */
    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    /** A text or choice value. */
    public String getString(String name) {
        return (String) require(name);
    }

    /** All values, in declaration order. */
    public Map<String, Object> values() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("parameter '" + name + "' has no value");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
