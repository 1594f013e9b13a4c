package org.attnfer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.nn.io.Npz;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference tensors of {@code ../shared/goldens}. Where the folder is absent, a test that asks
 * for a golden is skipped with a message saying so; it never passes silently.
 */
public final class Goldens {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One golden: reference weights and input/output cases.
     *
     * @param name the folder name ({@code ca})
     * @param dir the folder
     * @param meta its {@code meta.json}
     * @param weights the reference state dict
     * @param cases the cases, main first
     */
    public record Golden(String name, Path dir, JsonNode meta, Map<String, Tensor> weights, List<Case> cases) {

        /** The reference's trainable-parameter count. */
        public long paramCount() {
            return meta.path("param_count").asLong();
        }

        /** A hyper-parameter from {@code meta.json}. */
        public JsonNode hyper(String key) {
            return meta.path("hyperparameters").path(key);
        }
    }

    /**
     * One input/output pair.
     *
     * @param name the case name ({@code main}, {@code 13x13})
     * @param input the input
     * @param output the expected output
     * @param atol the suggested absolute tolerance
     */
    public record Case(String name, Tensor input, Tensor output, double atol) {}

    private Goldens() {}

    /** The golden folder, or {@code null} if it cannot be found. */
    public static Path root() {
        String prop = System.getProperty("attnfer.goldens");
        if (prop != null) {
            Path p = Paths.get(prop).normalize();
            return Files.isDirectory(p) ? p : null;
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolveSibling("shared").resolve("goldens");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** The names listed in {@code index.json}; skips the test if the folder is absent. */
    public static List<String> names() {
        Path root = requireRoot("index");
        try {
            List<String> names = new ArrayList<>();
            JSON.readTree(root.resolve("index.json").toFile()).fieldNames().forEachRemaining(names::add);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads one golden; skips the test with a message if the folder is absent. */
    public static Golden load(String name) {
        Path dir = requireRoot(name).resolve(name);
        try {
            JsonNode meta = JSON.readTree(dir.resolve("meta.json").toFile());
            Map<String, Tensor> weights = Npz.read(dir.resolve("weights.npz"));
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : meta.path("cases")) {
                cases.add(new Case(
                        c.path("name").asText(),
                        TensorFiles.readNpy(dir.resolve(c.path("input").asText())),
                        TensorFiles.readNpy(dir.resolve(c.path("output").asText())),
                        c.path("suggested_atol").asDouble()));
            }
            return new Golden(name, dir, meta, weights, cases);
        } catch (IOException e) {
            throw new UncheckedIOException("golden " + name + ": " + e.getMessage(), e);
        }
    }

    private static Path requireRoot(String what) {
        Path root = root();
        if (root == null) {
            String message = "SKIPPED: ../shared/goldens not found (set -Dattnfer.goldens=<dir>); parity test for '"
                    + what + "' not run";
            System.err.println(message);
            Assumptions.abort(message);
        }
        return root;
    }
}
