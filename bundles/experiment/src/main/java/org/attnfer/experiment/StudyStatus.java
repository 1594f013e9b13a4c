package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where every cell of a study stands, read from its output folder alone (no model, no DJL): what
 * {@code fer status} prints and a partial report lists. A cell is complete when its run folder is,
 * running while a live process holds its lock, failed when its last attempt ended in an error, and
 * pending otherwise.
 *
 * @param name the experiment's name
 * @param output the output folder
 * @param cells every cell, in index order
 * @param jobs the Slurm jobs that {@code fer slurm --submit} recorded, empty where there are none
 */
public record StudyStatus(String name, Path output, List<CellStatus> cells, Map<String, String> jobs) {

    /** A cell's state. */
    public enum State {
        PENDING,
        RUNNING,
        COMPLETE,
        FAILED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One cell.
     *
     * @param index its index
     * @param variant its variant's name
     * @param seed its seed
     * @param dir its run folder
     * @param state where it stands
     * @param detail for a complete cell its accuracy and macro-F1, for a running one its holder and
     *     last epoch, for a failed one the error's last line; empty for a pending one
     * @param accuracy a complete cell's accuracy, else NaN
     */
    public record CellStatus(
            int index, String variant, long seed, Path dir, State state, String detail, double accuracy) {}

    /** The name of the file that records why a cell's last attempt failed, beside its run folder. */
    static Path failureFile(Path runDir) {
        return runDir.resolveSibling("." + runDir.getFileName() + ".failed");
    }

    /**
     * Reads a study's output folder.
     *
     * @throws ExperimentException when the folder holds no study ({@code experiment.json})
     */
    public static StudyStatus read(Path output) throws IOException {
        Path file = output.resolve(StudyFiles.EXPERIMENT);
        if (!Files.isRegularFile(file)) {
            throw new ExperimentException(output + " holds no experiment (no " + StudyFiles.EXPERIMENT
                    + "): give the output folder of a fer run or fer slurm");
        }
        JsonNode doc;
        try {
            doc = ExperimentRunner.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ExperimentException(file + " is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        List<CellStatus> cells = new ArrayList<>();
        for (JsonNode v : doc.path("variants")) {
            for (JsonNode s : doc.path("seeds")) {
                Path dir = output.resolve(Variant.folderOf(v.asText())).resolve("seed-" + s.asLong());
                cells.add(cell(cells.size(), v.asText(), s.asLong(), dir));
            }
        }
        Map<String, String> jobs = new LinkedHashMap<>();
        Path slurm = output.resolve("slurm").resolve("jobs.json");
        if (Files.isRegularFile(slurm)) {
            ExperimentRunner.JSON
                    .readTree(slurm.toFile())
                    .properties()
                    .forEach(e -> jobs.put(e.getKey(), e.getValue().asText()));
        }
        return new StudyStatus(doc.path("name").asText(), output, List.copyOf(cells), jobs);
    }

    private static CellStatus cell(int index, String variant, long seed, Path dir) throws IOException {
        Path metrics = dir.resolve("metrics.json");
        if (Files.isRegularFile(metrics)) {
            JsonNode m = ExperimentRunner.JSON.readTree(metrics.toFile());
            double accuracy = m.path("accuracy").asDouble(Double.NaN);
            return new CellStatus(
                    index,
                    variant,
                    seed,
                    dir,
                    State.COMPLETE,
                    String.format(
                            Locale.ROOT,
                            "%s accuracy %.4f, macro-F1 %.4f",
                            m.path("evaluated_on").asText("validation"),
                            accuracy,
                            m.path("macro_f1").asDouble(Double.NaN)),
                    accuracy);
        }
        Optional<CellLock.Holder> holder = CellLock.holder(CellLock.fileOf(dir));
        if (holder.isPresent() && !CellLock.abandoned(holder.get())) {
            return new CellStatus(
                    index, variant, seed, dir, State.RUNNING, holder.get().describe() + ", " + epochs(dir), Double.NaN);
        }
        Path failed = failureFile(dir);
        if (Files.isRegularFile(failed)) {
            String why = Files.readString(failed, StandardCharsets.UTF_8).strip();
            return new CellStatus(index, variant, seed, dir, State.FAILED, why, Double.NaN);
        }
        return new CellStatus(index, variant, seed, dir, State.PENDING, "", Double.NaN);
    }

    /** {@code epoch 3 done} from the partial folder's {@code epochs.csv}. */
    private static String epochs(Path dir) throws IOException {
        Path csv = dir.resolveSibling("." + dir.getFileName() + ".partial").resolve("epochs.csv");
        if (!Files.isRegularFile(csv)) {
            return "starting";
        }
        long done = Files.readAllLines(csv, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank())
                        .count()
                - 1;
        return done <= 0 ? "in its first epoch" : "epoch " + done + " done";
    }

    /** How many cells are in each state. */
    public Map<State, Integer> counts() {
        Map<State, Integer> counts = new EnumMap<>(State.class);
        for (State s : State.values()) {
            counts.put(s, 0);
        }
        cells.forEach(c -> counts.merge(c.state(), 1, Integer::sum));
        return counts;
    }
}
