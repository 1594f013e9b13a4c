package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attnfer.train.EpochResult;
import org.attnfer.train.Trainer;

/**
 * One cell's run folder. A run trains in a hidden {@code .seed-N.partial} folder beside it that
 * holds its checkpoint, and is renamed to {@code seed-N} when complete, so a crash never leaves a
 * half-written result: the folder is either complete or absent. A complete folder records the
 * variant and model it was trained as, and is never taken for another's.
 */
final class RunFolder {

    private final Cell cell;
    private final Path dir;
    private final Path partial;

    RunFolder(Experiment e, Cell cell) {
        this.cell = cell;
        this.dir = cell.dir(e);
        this.partial = dir.resolveSibling("." + dir.getFileName() + ".partial");
    }

    /** The complete folder. */
    Path dir() {
        return dir;
    }

    /** Where the run trains until it is complete. */
    Path partial() {
        return partial;
    }

    /**
     * The result of the complete folder, or {@code null} when there is none.
     *
     * @throws ExperimentException when the folder was trained as another variant or model
     */
    RunResult completed() throws IOException {
        Path metricsFile = dir.resolve("metrics.json");
        if (!Files.isRegularFile(metricsFile)) {
            return null;
        }
        JsonNode manifest = read(dir.resolve("manifest.json"));
        String variant = manifest.path("variant").asText(null);
        String model = manifest.path("variant_model").asText(null);
        if (variant != null && !variant.equals(cell.variant().name())) {
            throw new ExperimentException(dir + " holds a run of variant '" + variant + "', not of '"
                    + cell.variant().name() + "': give the variants names that differ in letters and digits, or "
                    + "another --output");
        }
        if (model != null && !model.equals(cell.variant().model().shorthand())) {
            throw new ExperimentException(dir + " holds a run of model " + model + ", but variant '"
                    + cell.variant().name() + "' is now "
                    + cell.variant().model().shorthand()
                    + ": rename the variant, move the folder away, or choose another --output");
        }
        JsonNode m = read(metricsFile);
        return new RunResult(
                cell.variant().name(),
                cell.seed(),
                dir,
                m.path("accuracy").asDouble(),
                m.path("macro_f1").asDouble(),
                true);
    }

    private static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return ExperimentRunner.JSON.createObjectNode();
        }
        try {
            return ExperimentRunner.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ExperimentException(file + " is not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("")
                    + "); move the run folder away to train the cell again");
        }
    }

    /** Whether a checkpoint of an interrupted run is there to resume from. */
    boolean resumable() {
        return Files.isRegularFile(partial.resolve(Trainer.LAST));
    }

    /** A fresh partial folder, unless there is a checkpoint to resume from. */
    void prepare() throws IOException {
        if (!resumable()) {
            deleteTree(partial);
            Files.createDirectories(partial);
            Files.writeString(partial.resolve("epochs.csv"), EpochResult.CSV_HEADER + "\n");
        }
    }

    /** Adds an epoch's line to {@code epochs.csv}. */
    void appendEpoch(EpochResult r) throws IOException {
        Files.writeString(partial.resolve("epochs.csv"), r.csv() + "\n", StandardOpenOption.APPEND);
    }

    /** Rewrites {@code epochs.csv} from a resumed checkpoint's history. */
    void rewriteEpochs(List<EpochResult> history) throws IOException {
        StringBuilder sb = new StringBuilder(EpochResult.CSV_HEADER).append('\n');
        history.forEach(r -> sb.append(r.csv()).append('\n'));
        Files.writeString(partial.resolve("epochs.csv"), sb);
    }

    /** Writes a JSON file into the partial folder. */
    void writeJson(String name, Map<String, Object> doc) throws IOException {
        ExperimentRunner.JSON.writeValue(partial.resolve(name).toFile(), doc);
    }

    /** Writes a YAML file into the partial folder. */
    void writeYaml(String name, Map<String, Object> doc) throws IOException {
        YamlDoc.YAML.writeValue(partial.resolve(name).toFile(), doc);
    }

    /** Renames the partial folder to the complete one, in one step. */
    void complete() throws IOException {
        Files.createDirectories(dir.getParent());
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(StudyStatus.failureFile(dir));
    }

    /** Records why the last attempt failed, for {@code fer status}: one line. */
    void recordFailure(String why) throws IOException {
        Files.createDirectories(dir.getParent());
        String line = why == null ? "failed" : why.lines().findFirst().orElse("failed");
        Files.writeString(StudyStatus.failureFile(dir), line + "\n");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
