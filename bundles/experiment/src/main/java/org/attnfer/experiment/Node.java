package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.attnfer.api.ParamException;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;

/** A position in a {@link YamlDoc} with typed, checked access; every error names file, line and key. */
final class Node {

    private final YamlDoc doc;
    private final String pointer;
    private final String key;
    private final JsonNode value;

    private Node(YamlDoc doc, String pointer, String key, JsonNode value) {
        this.doc = doc;
        this.pointer = pointer;
        this.key = key;
        this.value = value;
    }

    static Node root(YamlDoc doc) {
        return new Node(doc, "", "", doc.root());
    }

    boolean present() {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    JsonNode raw() {
        return value;
    }

    String key() {
        return key;
    }

    /** {@code file:line:} of this node. */
    String where() {
        return doc.where(pointer);
    }

    ExperimentException error(String message) {
        return new ExperimentException(where() + " " + (key.isEmpty() ? "" : key + ": ") + message);
    }

    Node get(String name) {
        JsonNode child = value == null ? null : value.get(name);
        return new Node(doc, pointer + "/" + name, key.isEmpty() ? name : key + "." + name, child);
    }

    Node required(String name) {
        Node n = get(name);
        if (!n.present()) {
            throw error("missing required key '" + name + "'");
        }
        return n;
    }

    /** Checks that a mapping has no other keys than these. */
    Node only(String... allowed) {
        if (!present()) {
            return this;
        }
        if (!value.isObject()) {
            throw error("must be a mapping");
        }
        Set<String> known = new TreeSet<>(List.of(allowed));
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw get(name).error("unknown key (known here: " + String.join(", ", known) + ")");
            }
        }
        return this;
    }

    /** The keys of a mapping, in file order. */
    List<String> keys() {
        if (!value.isObject()) {
            throw error("must be a mapping");
        }
        List<String> out = new ArrayList<>();
        value.fieldNames().forEachRemaining(out::add);
        return out;
    }

    List<Node> items() {
        if (!value.isArray()) {
            throw error("must be a list");
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(new Node(doc, pointer + "/" + i, key + "[" + i + "]", value.get(i)));
        }
        return out;
    }

    String text() {
        if (!value.isTextual()) {
            throw error("must be text, got " + value);
        }
        return value.asText();
    }

    String text(String name, String fallback) {
        Node n = get(name);
        return n.present() ? n.text() : fallback;
    }

    long integer(long min, long max) {
        if (!value.isIntegralNumber()) {
            throw error("must be a whole number, got " + value);
        }
        long v = value.asLong();
        if (v < min || v > max) {
            throw error("must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    long integer(String name, long fallback, long min, long max) {
        Node n = get(name);
        return n.present() ? n.integer(min, max) : fallback;
    }

    double number(String name, double fallback, double min, boolean minExclusive, double max, boolean maxExclusive) {
        Node n = get(name);
        if (!n.present()) {
            return fallback;
        }
        if (!n.value.isNumber()) {
            throw n.error("must be a number, got " + n.value);
        }
        double v = n.value.asDouble();
        if (!Double.isFinite(v) || v < min || v > max || (minExclusive && v == min) || (maxExclusive && v == max)) {
            throw n.error("must be " + (minExclusive ? "> " : "≥ ") + plain(min) + " and "
                    + (maxExclusive ? "< " : "≤ ") + plain(max) + ", got " + n.value);
        }
        return v;
    }

    /** A number as written: 16, not 16.0. */
    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * Validates a mapping against parameter descriptions; a bad value is reported at its own key's
     * line.
     */
    Params params(List<ParamSpec> specs) {
        return params(specs, Set.of());
    }

    /** As {@link #params(java.util.List)}, leaving out keys that are read on their own. */
    Params params(List<ParamSpec> specs, Set<String> except) {
        Map<String, Object> raw = present() ? new LinkedHashMap<>(plain()) : new LinkedHashMap<>();
        raw.keySet().removeAll(except);
        try {
            return Params.validate(specs, raw);
        } catch (ParamException e) {
            Node at = get(e.key());
            throw new ExperimentException(at.where() + " " + key + ": " + e.getMessage());
        }
    }

    /** A mapping as plain Java values (strings, numbers, booleans, lists, maps). */
    Map<String, Object> plain() {
        if (!value.isObject()) {
            throw error("must be a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = YamlDoc.YAML.convertValue(value, LinkedHashMap.class);
        return m;
    }
}
