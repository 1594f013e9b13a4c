package org.attnfer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.attnfer.data.InputSpec;

/**
 * The files of a study as a whole, {@code experiment.json}: what a report needs to know of the
 * experiment. The first process to start writes it, atomically; processes that start later on the
 * same study (other cells, other hosts) find the same content. Where the experiment was edited
 * between two runs (a variant added, a setting changed) the file is replaced, unless another
 * process is training a cell of the study right now: then the two would disagree, and the later
 * one stops.
 */
final class StudyFiles {

    static final String EXPERIMENT = "experiment.json";

    private StudyFiles() {}

    static void write(Plan plan) throws IOException {
        Experiment e = plan.experiment();
        Files.createDirectories(e.output());
        Path file = e.output().resolve(EXPERIMENT);
        ObjectNode doc = ExperimentRunner.JSON.valueToTree(document(plan));
        Path tmp = e.output()
                .resolve("." + EXPERIMENT + ".tmp-" + ProcessHandle.current().pid());
        ExperimentRunner.JSON.writeValue(tmp.toFile(), doc);
        try {
            // a hard link appears complete and only where no file is: the first process wins (also on NFS)
            Files.createLink(file, tmp);
            Files.deleteIfExists(tmp);
            return;
        } catch (FileAlreadyExistsException exists) {
            // another run of the study came first
        } catch (UnsupportedOperationException | IOException noLinks) {
            if (!Files.exists(file)) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
        }
        JsonNode before = ExperimentRunner.JSON.readTree(file.toFile());
        // both as read from text, so that numbers compare by value rather than by node type
        if (comparable(before).equals(comparable(ExperimentRunner.JSON.readTree(tmp.toFile())))) {
            Files.deleteIfExists(tmp);
            return;
        }
        Optional<String> busy = busyCell(e.output());
        if (busy.isPresent()) {
            Files.deleteIfExists(tmp);
            throw new ExperimentException(file + " describes another version of this experiment, and " + busy.get()
                    + " is training with it: run the same file and settings on every host, or choose another "
                    + "--output");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The document without what differs between hosts that run the same study (where the file lies). */
    private static JsonNode comparable(JsonNode doc) {
        ObjectNode copy = doc.deepCopy();
        copy.remove("file");
        return copy;
    }

    /** A cell of the study that a live process is training, described, if there is one. */
    private static Optional<String> busyCell(Path output) throws IOException {
        try (Stream<Path> files = Files.walk(output, 2)) {
            for (Path lock : files.filter(p -> p.getFileName().toString().endsWith(".lock"))
                    .toList()) {
                Optional<CellLock.Holder> h = CellLock.holder(lock);
                if (h.isPresent() && !CellLock.abandoned(h.get())) {
                    return Optional.of(
                            output.relativize(lock.getParent()) + " (" + h.get().describe() + ")");
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> document(Plan plan) {
        Experiment e = plan.experiment();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", e.name());
        doc.put("file", e.file().toAbsolutePath().toString());
        doc.put("classes", plan.dataset().classes());
        doc.put("dataset", plan.dataset().describe());
        doc.put("test", plan.test() == null ? null : plan.test().describe());
        List<Map<String, Object>> variants = new ArrayList<>();
        e.variants()
                .forEach(v -> variants.add(Map.of(
                        "name",
                        v.name(),
                        "model",
                        v.model().shorthand(),
                        "description",
                        v.model().describe(),
                        "settings",
                        v.settings())));
        doc.put("variants", e.variants().stream().map(Variant::name).toList());
        doc.put("models", variants);
        doc.put("seeds", e.seeds());
        doc.put("cells", plan.cells().size());
        doc.put("input", inputDoc(e.input()));
        doc.put("training", e.training());
        doc.put("tables", e.tables());
        return doc;
    }

    /** The input as files record it: {@code resize} only where it is not the size. */
    static Map<String, Object> inputDoc(InputSpec input) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("size", input.size());
        doc.put("channels", input.channels());
        if (input.resize() != input.size()) {
            doc.put("resize", input.resize());
        }
        return doc;
    }
}
