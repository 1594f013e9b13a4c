package org.attnfer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads one run folder. */
final class RunReader {

    private RunReader() {}

    private static JsonNode json(Path file) throws IOException {
        try {
            return ExperimentData.JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    static RunData read(Path dir) throws IOException {
        try {
            JsonNode metrics = json(dir.resolve("metrics.json"));
            JsonNode manifest = Files.isRegularFile(dir.resolve("manifest.json"))
                    ? json(dir.resolve("manifest.json"))
                    : ExperimentData.JSON.createObjectNode();
            Map<String, Double> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : metrics.properties()) {
                if (e.getValue().isNumber()) {
                    m.put(e.getKey(), e.getValue().asDouble());
                }
            }
            metrics.path("focus")
                    .properties()
                    .forEach(e -> m.put("focus_" + e.getKey(), e.getValue().asDouble()));
            JsonNode cm = metrics.path("confusion");
            int[][] confusion = new int[cm.size()][];
            for (int a = 0; a < cm.size(); a++) {
                confusion[a] = new int[cm.get(a).size()];
                for (int p = 0; p < cm.get(a).size(); p++) {
                    confusion[a][p] = cm.get(a).get(p).asInt();
                }
            }
            List<String> classes = new ArrayList<>();
            metrics.path("per_class").fieldNames().forEachRemaining(classes::add);
            List<String> items = List.of();
            int[] actual = new int[0];
            int[] predicted = new int[0];
            Path predictions = dir.resolve("predictions.csv");
            if (Files.isRegularFile(predictions)) {
                PredictionFile p = PredictionFile.read(predictions);
                items = p.items();
                // in the classes of metrics.json
                actual = Arrays.stream(p.actual())
                        .map(a -> classes.indexOf(p.classes().get(a)))
                        .toArray();
                predicted = Arrays.stream(p.predicted())
                        .map(a -> classes.indexOf(p.classes().get(a)))
                        .toArray();
            }
            String variant = manifest.path("variant")
                    .asText(dir.getParent().getFileName().toString());
            long seed = manifest.path("seed")
                    .asLong(Long.parseLong(dir.getFileName().toString().replaceFirst("^seed-", "")));
            Path epochs = dir.resolve("epochs.csv");
            return new RunData(
                    variant,
                    manifest.path("description").asText(manifest.path("model").asText(variant)),
                    seed,
                    dir,
                    m,
                    confusion,
                    Files.isRegularFile(epochs) ? ExperimentData.columns(epochs) : Map.of(),
                    items,
                    actual,
                    predicted,
                    manifest.path("parameters").asLong(-1),
                    manifest.path("macs").asLong(-1));
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read the run folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
