package org.attnfer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every finished run of an experiment, read from its output folder: {@code experiment.json} (the
 * variants in order and the tables) and one {@code VARIANT/seed-N/} folder per run.
 *
 * @param name the experiment's name
 * @param root the output folder
 * @param classes the class names
 * @param evaluatedOn {@code test} or {@code validation}
 * @param variants the variants in experiment order
 * @param tables the comparison tables
 * @param runs every complete run
 * @param missing the cells of the experiment without a complete run ({@code VARIANT seed N}): a
 *     report of a partial grid says which
 */
public record ExperimentData(
        String name,
        Path root,
        List<String> classes,
        String evaluatedOn,
        List<String> variants,
        List<TableSpec> tables,
        List<RunData> runs,
        List<String> missing) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The runs of one variant, by seed. */
    public List<RunData> runsOf(String variant) {
        return runs.stream()
                .filter(r -> r.variant().equals(variant))
                .sorted(Comparator.comparingLong(RunData::seed))
                .toList();
    }

    /**
     * Reads an output folder.
     *
     * @throws IOException naming the file that cannot be read
     */
    public static ExperimentData load(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("no runs folder at " + root);
        }
        Path exp = root.resolve("experiment.json");
        JsonNode e = Files.isRegularFile(exp) ? JSON.readTree(exp.toFile()) : JSON.createObjectNode();
        List<RunData> runs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, 3)) {
            for (Path metrics : walk.filter(p -> p.getFileName().toString().equals("metrics.json"))
                    .sorted()
                    .toList()) {
                if (!metrics.getParent().getFileName().toString().startsWith(".")) {
                    runs.add(RunReader.read(metrics.getParent()));
                }
            }
        }
        if (runs.isEmpty()) {
            throw new IOException("no finished runs (folders with metrics.json) under " + root);
        }
        List<String> variants = new ArrayList<>();
        e.path("variants").forEach(v -> variants.add(v.asText()));
        List<String> missing = new ArrayList<>();
        for (String v : variants) {
            for (JsonNode seed : e.path("seeds")) {
                if (runs.stream().noneMatch(r -> r.variant().equals(v) && r.seed() == seed.asLong())) {
                    missing.add(v + " seed " + seed.asLong());
                }
            }
        }
        for (RunData r : runs) {
            if (!variants.contains(r.variant())) {
                variants.add(r.variant());
            }
        }
        variants.removeIf(v -> runs.stream().noneMatch(r -> r.variant().equals(v)));
        List<TableSpec> tables = new ArrayList<>();
        for (JsonNode t : e.path("tables")) {
            List<String> rows = new ArrayList<>();
            t.path("variants").forEach(v -> rows.add(v.asText()));
            rows.removeIf(v -> !variants.contains(v));
            // a baseline without runs yet (a partial grid) gives way to the first variant that has some
            String baseline = t.path("baseline").asText("");
            if (!rows.contains(baseline)) {
                baseline = rows.isEmpty() ? "" : rows.get(0);
            }
            if (!rows.isEmpty()) {
                tables.add(new TableSpec(t.path("name").asText("Comparison"), baseline, rows));
            }
        }
        if (tables.isEmpty()) {
            tables.add(new TableSpec("Comparison", variants.get(0), variants));
        }
        List<String> classes = new ArrayList<>();
        e.path("classes").forEach(c -> classes.add(c.asText()));
        if (classes.isEmpty()) {
            JSON.readTree(runs.get(0).dir().resolve("metrics.json").toFile())
                    .path("per_class")
                    .fieldNames()
                    .forEachRemaining(classes::add);
        }
        String name = e.path("name").asText(root.getFileName().toString());
        String evaluatedOn = JSON.readTree(
                        runs.get(0).dir().resolve("metrics.json").toFile())
                .path("evaluated_on")
                .asText("validation");
        return new ExperimentData(name, root, classes, evaluatedOn, variants, tables, runs, List.copyOf(missing));
    }

    /** Columns of a CSV file with a header row, as numbers. */
    static Map<String, double[]> columns(Path csv) throws IOException {
        List<String> lines =
                Files.readAllLines(csv).stream().filter(l -> !l.isBlank()).toList();
        Map<String, double[]> out = new LinkedHashMap<>();
        if (lines.isEmpty()) {
            return out;
        }
        String[] header = lines.get(0).split(",", -1);
        for (int c = 0; c < header.length; c++) {
            double[] col = new double[lines.size() - 1];
            for (int r = 1; r < lines.size(); r++) {
                String[] f = lines.get(r).split(",", -1);
                col[r - 1] = c < f.length ? Double.parseDouble(f[c]) : Double.NaN;
            }
            out.put(header[c], col);
        }
        return out;
    }
}
