package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML text to a JSON tree, with the line of every key. SnakeYAML only composes the document
 * (nodes, never objects, so a tag instantiates nothing); the tree is built here so that anchors
 * and aliases ({@code test: *ds}) and merge keys expand, a key given twice is an error naming both
 * lines, and {@code .nan} or {@code .inf} is refused at its line, not somewhere later.
 */
final class YamlTree {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 64;

    private final String source;
    private final Map<String, Integer> lines = new HashMap<>();

    private YamlTree(String source) {
        this.source = source;
    }

    /** A parsed document and the 1-based line of every JSON pointer ({@code /training/lr}). */
    record Parsed(JsonNode root, Map<String, Integer> lines) {}

    /**
     * Parses one document.
     *
     * @param source names the text in messages ({@code file} or {@code --set key=value})
     * @throws ExperimentException {@code source:line: what is wrong}
     */
    static Parsed parse(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(100);
        options.setAllowRecursiveKeys(false);
        Node node;
        try {
            node = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
            throw new ExperimentException(source + ":" + line + ": not valid YAML: " + e.getProblem()
                    + (e.getContext() == null
                            ? ""
                            : " (" + e.getContext()
                                    + (e.getContextMark() == null
                                            ? ""
                                            : " that starts at line "
                                                    + (e.getContextMark().getLine() + 1))
                                    + ")"));
        } catch (YAMLException e) {
            throw new ExperimentException(source + ": not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        YamlTree tree = new YamlTree(source);
        JsonNode root = node == null ? NODES.nullNode() : tree.convert(node, "", 0);
        return new Parsed(root, tree.lines);
    }

    private JsonNode convert(Node node, String pointer, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(node, "nested more than " + MAX_DEPTH + " levels deep");
        }
        lines.putIfAbsent(pointer, line(node));
        if (node instanceof MappingNode m) {
            ObjectNode out = NODES.objectNode();
            Map<String, Integer> keyLines = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode().getTag().equals(Tag.MERGE)) {
                    merge(out, t.getValueNode(), pointer, depth);
                    continue;
                }
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw error(t.getKeyNode(), "a key must be a plain word");
                }
                String key = k.getValue();
                Integer first = keyLines.put(key, line(k));
                if (first != null) {
                    throw error(
                            k, "key '" + key + "' is given twice (lines " + first + " and " + line(k) + "); keep one");
                }
                String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                lines.put(child, line(k));
                out.set(key, convert(t.getValueNode(), child, depth + 1));
            }
            return out;
        }
        if (node instanceof SequenceNode s) {
            ArrayNode out = NODES.arrayNode();
            for (int i = 0; i < s.getValue().size(); i++) {
                out.add(convert(s.getValue().get(i), pointer + "/" + i, depth + 1));
            }
            return out;
        }
        return scalar((ScalarNode) node);
    }

    /** {@code <<: *base}: the aliased mapping's keys, where this mapping does not set them itself. */
    private void merge(ObjectNode into, Node value, String pointer, int depth) {
        if (value instanceof SequenceNode s) {
            s.getValue().forEach(v -> merge(into, v, pointer, depth));
            return;
        }
        if (!(value instanceof MappingNode)) {
            throw error(value, "a merge key (<<) takes a mapping or a list of mappings");
        }
        JsonNode merged = convert(value, pointer, depth + 1);
        merged.properties().forEach(e -> {
            if (!into.has(e.getKey())) {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    private JsonNode scalar(ScalarNode s) {
        String v = s.getValue();
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return NODES.nullNode();
        }
        if (tag.equals(Tag.BOOL)) {
            // YAML 1.1 also reads yes/no/on/off as booleans; only true and false are, here
            String t = v.toLowerCase(Locale.ROOT);
            return t.equals("true") || t.equals("false") ? NODES.booleanNode(t.equals("true")) : NODES.textNode(v);
        }
        if (tag.equals(Tag.INT)) {
            BigInteger i = integer(v.replace("_", ""));
            if (i == null) {
                return NODES.textNode(v);
            }
            return i.bitLength() < 32
                    ? NODES.numberNode(i.intValue())
                    : i.bitLength() < 64 ? NODES.numberNode(i.longValue()) : NODES.numberNode(i);
        }
        if (tag.equals(Tag.FLOAT)) {
            String t = v.replace("_", "").toLowerCase(Locale.ROOT);
            if (t.endsWith(".nan") || t.endsWith(".inf")) {
                throw error(s, v + " is not a finite number; give a number such as 0.01");
            }
            try {
                return NODES.numberNode(Double.parseDouble(t));
            } catch (NumberFormatException e) {
                return NODES.textNode(v);
            }
        }
        if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP) || tag.equals(Tag.BINARY)) {
            return NODES.textNode(v);
        }
        throw error(s, "the YAML tag " + tag + " is not supported (plain values, lists and mappings only)");
    }

    private static BigInteger integer(String t) {
        try {
            String sign = t.startsWith("-") ? "-" : "";
            String digits = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
            if (digits.startsWith("0x")) {
                return new BigInteger(sign + digits.substring(2), 16);
            }
            if (digits.startsWith("0o")) {
                return new BigInteger(sign + digits.substring(2), 8);
            }
            if (digits.startsWith("0b")) {
                return new BigInteger(sign + digits.substring(2), 2);
            }
            return new BigInteger(sign + digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    }

    private ExperimentException error(Node at, String what) {
        return new ExperimentException(source + ":" + line(at) + ": " + what);
    }
}
