package org.attnfer.report.internal;

import java.io.IOException;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.Charts;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Report;
import org.attnfer.report.TableSpec;
import org.osgi.service.component.annotations.Component;

/** Accuracy and loss per epoch, training and validation, mean over seeds with a band (the paper's Fig. 6). */
@Component(service = ReportSection.class)
public final class CurvesSection implements ReportSection {

    @Override
    public String id() {
        return "curves";
    }

    @Override
    public String title() {
        return "Training curves";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html =
                new StringBuilder("<p class=\"note\">Solid: validation; dashed: training. Lines are means over seeds; "
                        + "bands span the lowest and highest seed.</p>\n<div class=\"grid\">\n");
        for (TableSpec spec : data.tables()) {
            for (String column : new String[] {"accuracy", "loss"}) {
                String file = "curves-" + Report.slug(spec.name()) + "-" + column + ".png";
                Charts.curves(data, spec, column, context.reportDir().resolve(file));
                html.append("<figure>")
                        .append(Report.chart(file, spec.name() + " " + column))
                        .append("</figure>\n");
            }
        }
        return Optional.of(html.append("</div>").toString());
    }
}
