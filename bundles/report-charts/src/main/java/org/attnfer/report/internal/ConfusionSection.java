package org.attnfer.report.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.Charts;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Report;
import org.attnfer.report.RunData;
import org.osgi.service.component.annotations.Component;

/** A confusion matrix per variant, counts summed over its seeds, coloured by the row-normalised share. */
@Component(service = ReportSection.class)
public final class ConfusionSection implements ReportSection {

    @Override
    public String id() {
        return "confusion";
    }

    @Override
    public String title() {
        return "Confusion matrices";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html = new StringBuilder("<div class=\"grid\">\n");
        for (String variant : data.variants()) {
            List<RunData> runs = data.runsOf(variant);
            int k = data.classes().size();
            int[][] sum = new int[k][k];
            for (RunData r : runs) {
                for (int a = 0; a < k && a < r.confusion().length; a++) {
                    for (int p = 0; p < k; p++) {
                        sum[a][p] += r.confusion()[a][p];
                    }
                }
            }
            String file = "confusion-" + Report.slug(variant) + ".png";
            Charts.confusion(
                    variant + " (" + runs.size() + (runs.size() == 1 ? " seed)" : " seeds)"),
                    data.classes(),
                    sum,
                    context.reportDir().resolve(file));
            html.append("<figure>")
                    .append(Report.chart(file, "confusion matrix of " + variant))
                    .append("</figure>\n");
        }
        return Optional.of(html.append("</div>").toString());
    }
}
