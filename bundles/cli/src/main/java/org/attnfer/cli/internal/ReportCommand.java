package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer report}: tables, charts and heat maps of an experiment's runs. */
@Command(
        name = "report",
        description = {
            "Write the report of an experiment's runs: comparison tables (CSV, Markdown, LaTeX, HTML) with",
            "means and deviations over seeds, 95%% intervals and paired tests against the baseline; curves,",
            "confusion matrices, accuracy bars and heat maps; all in one index.html that opens offline."
        })
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUNS", description = "The experiment's output folder (runs/NAME).")
    Path runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the report goes (default: RUNS/report).")
    Path out;

    @Spec
    CommandSpec spec;

    private final ReportSections sections;

    @Inject
    ReportCommand(ReportSections sections) {
        this.sections = sections;
    }

    @Override
    public Integer call() throws Exception {
        ExperimentData data = ExperimentData.load(runs);
        Path index = Report.write(runs, out != null ? out : runs.resolve("report"), sections.all());
        if (!data.missing().isEmpty()) {
            spec.commandLine()
                    .getOut()
                    .println("A partial grid: the report covers " + data.runs().size()
                            + " complete runs; not complete: " + String.join(", ", data.missing()));
        }
        spec.commandLine().getOut().println("Report: " + index.toAbsolutePath());
        return 0;
    }
}
