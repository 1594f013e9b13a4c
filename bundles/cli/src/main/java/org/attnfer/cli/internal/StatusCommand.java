package org.attnfer.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.experiment.StudyStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer status}: where every cell of a study stands. */
@Command(
        name = "status",
        description = {
            "Where every cell of a study stands: pending, running (host, process, epoch), complete (its "
                    + "accuracy) or failed (the error), with counts per state and the Slurm jobs that fer slurm "
                    + "submitted.",
            "It reads the output folder only, so it works from any host that sees the folder."
        })
final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OUTPUT", description = "A study's output folder (runs/NAME).")
    Path output;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StudyStatus status = StudyStatus.read(output.toAbsolutePath());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("experiment", status.name());
            doc.put("output", status.output().toString());
            Map<String, Integer> counts = new LinkedHashMap<>();
            status.counts().forEach((state, n) -> counts.put(state.toString(), n));
            doc.put("counts", counts);
            List<Map<String, Object>> cells = new ArrayList<>();
            for (StudyStatus.CellStatus c : status.cells()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", c.index());
                row.put("variant", c.variant());
                row.put("seed", c.seed());
                row.put("state", c.state().toString());
                row.put("detail", c.detail());
                if (!Double.isNaN(c.accuracy())) {
                    row.put("accuracy", c.accuracy());
                }
                row.put("dir", c.dir().toString());
                cells.add(row);
            }
            doc.put("cells", cells);
            doc.put("jobs", status.jobs());
            Json.print(out, doc);
            return 0;
        }
        out.println("Experiment " + status.name() + " in " + status.output());
        for (StudyStatus.CellStatus c : status.cells()) {
            out.printf(
                    Locale.ROOT,
                    "%5d  %-32s seed %-4d %-9s %s%n",
                    c.index(),
                    c.variant(),
                    c.seed(),
                    c.state(),
                    c.detail());
        }
        List<String> counts = new ArrayList<>();
        status.counts().forEach((state, n) -> counts.add(n + " " + state));
        out.println(String.join(", ", counts) + " of " + status.cells().size() + " cells");
        if (!status.jobs().isEmpty()) {
            out.println("Slurm jobs: " + status.jobs());
        }
        return 0;
    }
}
