package org.attnfer.report.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Html;
import org.attnfer.report.Report;
import org.attnfer.report.RunData;
import org.osgi.service.component.annotations.Component;

/** The resolved experiment and every run's manifest, so the report says how it was made. */
@Component(service = ReportSection.class)
public final class SetupSection implements ReportSection {

    @Override
    public String id() {
        return "setup";
    }

    @Override
    public String title() {
        return "Setup";
    }

    @Override
    public int order() {
        return 90;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html = new StringBuilder();
        Path exp = data.root().resolve("experiment.json");
        if (Files.isRegularFile(exp)) {
            html.append("<h3>Experiment</h3>\n<pre>")
                    .append(Html.escape(Files.readString(exp)))
                    .append("</pre>\n");
        }
        html.append("<h3>Runs</h3>\n<ul>\n");
        for (RunData r : data.runs()) {
            String rel = context.reportDir().relativize(r.dir()).toString();
            html.append("<li>")
                    .append(Html.escape(r.variant()))
                    .append(", seed ")
                    .append(r.seed())
                    .append(": <a href=\"")
                    .append(Html.escape(rel + "/manifest.json"))
                    .append("\">manifest</a>, <a href=\"")
                    .append(Html.escape(rel + "/spec.resolved.yaml"))
                    .append("\">resolved spec</a>, <a href=\"")
                    .append(Html.escape(rel + "/predictions.csv"))
                    .append("\">predictions</a></li>\n");
        }
        return Optional.of(html.append("</ul>").toString());
    }
}
