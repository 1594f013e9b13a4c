package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed YAML document that remembers the line of every key, so that problems found after
 * parsing still point into the file. Values set later (on the command line with {@code --set}, or
 * by a sweep) are marked with where they came from.
 */
final class YamlDoc {

    // enums written as experiment files spell them (their toString)
    static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

    private final Path file;
    private final JsonNode root;
    private final Map<String, Integer> lines;
    private final Map<String, String> overridden = new HashMap<>();

    private YamlDoc(Path file, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** Reads a file. */
    static YamlDoc read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ExperimentException(file + ": no such experiment file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ExperimentException(file + ": not UTF-8 text; save the experiment file as UTF-8");
        }
        YamlTree.Parsed parsed = YamlTree.parse(text, file.toString());
        JsonNode root = parsed.root();
        Map<String, Integer> lines = parsed.lines();
        if (root == null || !root.isObject()) {
            throw new ExperimentException(
                    file + ":1: an experiment file is a mapping of keys (name, dataset, variants, ...)");
        }
        return new YamlDoc(file, root, lines);
    }

    /**
     * Applies {@code key.path=value} given with {@code --set}; the value is read as YAML ({@code 3}
     * is a number, {@code true} a boolean, {@code [1, 2]} a list).
     */
    void set(String assignment) {
        set(assignment, "--set " + assignment);
    }

    /**
     * Applies {@code key.path=value}; problems with the value are reported at {@code origin}.
     */
    void set(String assignment, String origin) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ExperimentException(origin + ": expected key=value, e.g. training.epochs=1");
        }
        String[] path = assignment.substring(0, eq).strip().split("\\.");
        JsonNode value;
        try {
            value = YamlTree.parse(assignment.substring(eq + 1), origin).root();
        } catch (ExperimentException e) {
            // a value has one line: no line number
            throw new ExperimentException(e.getMessage().replace(origin + ":1:", origin + ":"));
        }
        ObjectNode node = (ObjectNode) root;
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < path.length - 1; i++) {
            pointer.append('/').append(path[i]);
            JsonNode child = node.get(path[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(path[i]);
            }
            if (!child.isObject()) {
                throw new ExperimentException(
                        origin + ": " + String.join(".", Arrays.copyOf(path, i + 1)) + " is not a mapping");
            }
            node = (ObjectNode) child;
        }
        node.set(path[path.length - 1], value == null ? YAML.nullNode() : value);
        overridden.put(pointer + "/" + path[path.length - 1], origin);
    }

    Path file() {
        return file;
    }

    JsonNode root() {
        return root;
    }

    /** {@code file:line:} for a JSON pointer ({@code /training/epochs}), or the {@code --set} or sweep that made it. */
    String where(String pointer) {
        for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
            if (overridden.containsKey(p)) {
                return overridden.get(p) + ":";
            }
            Integer line = lines.get(p);
            if (line != null) {
                return file + ":" + line + ":";
            }
            if (p.isEmpty()) {
                return file + ":";
            }
        }
    }
}
