package org.attnfer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.attnfer.nn.io.Npy;
import org.attnfer.nn.io.Npz;
import org.attnfer.nn.io.Tensor;

/**
 * Reference tensors of the modules: weights, inputs and the outputs a module must reproduce.
 *
 * <p>Two sets exist. The project's own ({@link Source#PROJECT}) is part of this jar, written by
 * {@code tools/goldens/make_goldens.py} from a PyTorch reference of the module specification, so
 * every parity test runs in a fresh clone. The specification's set ({@link Source#SHARED}), in
 * {@code ../shared/goldens} beside the clone (or {@code -Dattnfer.goldens=DIR}), is an independent
 * second check where it exists.
 */
public final class Goldens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "goldens/";

    /** Where a golden comes from. */
    public enum Source {
        /** The set committed with the project. */
        PROJECT,
        /** The module specification's set, outside the repository. */
        SHARED
    }

    /**
     * One golden: reference weights and input/output cases.
     *
     * @param name the folder name ({@code ca})
     * @param source which set it belongs to
     * @param meta its {@code meta.json}
     * @param weights the reference state dict
     * @param cases the cases, main first
     */
    public record Golden(String name, Source source, JsonNode meta, Map<String, Tensor> weights, List<Case> cases) {

        /** The reference's trainable-parameter count. */
        public long paramCount() {
            return meta.path("param_count").asLong();
        }

        /** A hyper-parameter from {@code meta.json}. */
        public JsonNode hyper(String key) {
            return meta.path("hyperparameters").path(key);
        }

        @Override
        public String toString() {
            return name + " (" + source.name().toLowerCase(Locale.ROOT) + ")";
        }
    }

    /**
     * One input/output pair.
     *
     * @param name the case name ({@code main}, {@code 7x5})
     * @param input the input
     * @param output the expected output
     * @param atol the suggested absolute tolerance
     */
    public record Case(String name, Tensor input, Tensor output, double atol) {}

    private Goldens() {}

    /** The names of the project's goldens. */
    public static List<String> names() {
        try (InputStream in = resource("index.json")) {
            List<String> names = new ArrayList<>();
            JSON.readTree(in).fieldNames().forEachRemaining(names::add);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One of the project's goldens. */
    public static Golden load(String name) {
        return read(name, Source.PROJECT, file -> resource(name + "/" + file));
    }

    /** The specification's golden of this name, where its folder is present. */
    public static Optional<Golden> loadShared(String name) {
        Path root = sharedRoot();
        if (root == null || !Files.isDirectory(root.resolve(name))) {
            return Optional.empty();
        }
        return Optional.of(read(
                name,
                Source.SHARED,
                file -> Files.newInputStream(root.resolve(name).resolve(file))));
    }

    /** The specification's golden folder, or {@code null} where it is not beside the clone. */
    public static Path sharedRoot() {
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

    /** Opens a file of a golden folder. */
    @FunctionalInterface
    private interface Opener {
        InputStream open(String file) throws IOException;
    }

    private static Golden read(String name, Source source, Opener files) {
        try {
            JsonNode meta;
            try (InputStream in = files.open("meta.json")) {
                meta = JSON.readTree(in);
            }
            Map<String, Tensor> weights;
            try (InputStream in = files.open("weights.npz")) {
                weights = Npz.read(in, name + "/weights.npz");
            }
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : meta.path("cases")) {
                try (InputStream in = files.open(c.path("input").asText());
                        InputStream out = files.open(c.path("output").asText())) {
                    cases.add(new Case(
                            c.path("name").asText(),
                            Npy.read(in),
                            Npy.read(out),
                            c.path("suggested_atol").asDouble()));
                }
            }
            return new Golden(name, source, meta, weights, cases);
        } catch (IOException e) {
            throw new UncheckedIOException("golden " + name + " (" + source + "): " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String file) throws IOException {
        InputStream in = Goldens.class.getResourceAsStream(RESOURCES + file);
        if (in == null) {
            throw new IOException("no golden file " + file + " in the test kit (run tools/goldens/make_goldens.py)");
        }
        return in;
    }
}
