package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.testkit.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The distribution against the module specification: the project's cost table and goldens, and the
 * specification's own in {@code ../shared} where present.
 */
class SpecificationIT {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One row of costs.json at one input size. */
    record Row(String model, int size, long params, long macs) {
        @Override
        public String toString() {
            return model + " @" + size;
        }
    }

    /** The rows of the project's cost table (tools/goldens/make_goldens.py), at both input sizes. */
    static List<Row> rows() throws IOException {
        JsonNode table;
        try (InputStream in = Goldens.class.getResourceAsStream("costs.json")) {
            table = JSON.readTree(in);
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : table.path("rows")) {
            String model = r.path("model").asText();
            rows.add(new Row(
                    model, 224, r.path("params").asLong(), r.path("macs_224").asLong()));
            rows.add(new Row(
                    model, 48, r.path("params").asLong(), r.path("macs_48").asLong()));
        }
        return rows;
    }

    /** The specification's rows by model name, where {@code ../shared/spec} is present; else empty. */
    static Map<String, JsonNode> specificationRows() throws IOException {
        Path costs =
                Path.of(System.getProperty("attnfer.spec", "../../shared/spec")).resolve("costs.json");
        Map<String, JsonNode> rows = new HashMap<>();
        if (Files.isRegularFile(costs)) {
            for (JsonNode r : JSON.readTree(costs.toFile()).path("rows")) {
                rows.put(shorthand(r.path("config")), r);
            }
        }
        return rows;
    }

    /** The model name of a costs.json configuration. */
    static String shorthand(JsonNode config) {
        StringBuilder sb = new StringBuilder("resnet50");
        config.path("attention").forEach(a -> sb.append('+').append(a.asText()));
        if (config.path("bam").asBoolean()) {
            sb.append("+bam");
        }
        if (config.path("acmix").asBoolean()) {
            sb.append("+acmix");
        }
        if (config.path("simam_after_conv2").asBoolean()) {
            sb.append("+simam@bottleneck.after_conv2");
        }
        if (config.path("sc").asBoolean()) {
            sb.append("+sc");
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void inspectGivesTheSpecifiedParametersAndMacs(Row row) throws IOException {
        DistributionIT.Result r = DistributionIT.fer(
                DistributionIT.DIST, "inspect", row.model(), "--input", "3x" + row.size() + "x" + row.size(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.path("params").asLong()).as("parameters").isEqualTo(row.params());
        assertThat(doc.path("macs").asLong()).as("multiply-accumulates").isEqualTo(row.macs());
        JsonNode spec = specificationRows().get(row.model());
        if (spec == null) {
            System.err.println(
                    "note: ../shared/spec/costs.json not found; " + row + " checked against the project's table");
        } else {
            assertThat(spec.path("params").asLong())
                    .as("the specification's parameters")
                    .isEqualTo(row.params());
            assertThat(spec.path("macs_" + row.size()).asLong())
                    .as("the specification's multiply-accumulates")
                    .isEqualTo(row.macs());
        }
    }

    @Test
    void everyGoldenIsCheckedBySomeParityTest() throws IOException {
        Set<String> loaded = new TreeSet<>();
        Pattern load = Pattern.compile("Parity\\.check\\(\\s*\"([a-z0-9_]+)\"");
        Path root = Path.of(System.getProperty("attnfer.root", "..")).resolve("bundles");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith("Test.java")).toList()) {
                Matcher m = load.matcher(Files.readString(f));
                while (m.find()) {
                    loaded.add(m.group(1));
                }
            }
        }
        // Parity.check compares every case of a golden, so covering the names covers the cases; a name
        // checks the project's golden and the specification's of the same name, so both sets are covered
        assertThat(loaded).containsAll(Goldens.names());
        Path shared = Goldens.sharedRoot();
        if (shared != null) {
            List<String> names = new ArrayList<>();
            JSON.readTree(shared.resolve("index.json").toFile()).fieldNames().forEachRemaining(names::add);
            assertThat(loaded).containsAll(names);
        }
    }

    @Test
    void aResNet50WithEveryModuleRoundTripsItsWeights(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        String all = "resnet50+sc+simam@bottleneck.after_conv2+acmix+se+ca+eca+coord+bam";
        Path npz = dir.resolve("w.npz");
        Path st = dir.resolve("w.safetensors");
        DistributionIT.Result save = DistributionIT.fer(
                DistributionIT.DIST, "inspect", all, "--depth", "0", "--seed", "5", "--save-weights", npz.toString());
        assertThat(save.code()).as(save.err()).isZero();
        DistributionIT.Result convert = DistributionIT.fer(
                DistributionIT.DIST,
                "inspect",
                all,
                "--depth",
                "0",
                "--weights",
                npz.toString(),
                "--save-weights",
                st.toString());
        assertThat(convert.code()).as(convert.err()).isZero();
        var a = TensorFiles.read(npz);
        assertThat(TensorFiles.read(st)).isEqualTo(a);
        assertThat(a)
                .containsKeys(
                        "conv1.weight",
                        "layer1.0.conv2.rate1",
                        "layer1.0.conv2.dep_conv.weight",
                        "layer2.1.se.fc1.bias",
                        "layer3.0.ca.fc2.weight",
                        "layer4.2.eca.conv.weight",
                        "layer4.2.coord.conv_h.weight",
                        "bam1.spatial_gate.final_conv.bias",
                        "bam3.channel_gate.bn.running_mean");
        assertThat(a).doesNotContainKey("bam4.channel_gate.fc1.weight");
    }
}
