package org.attnfer.report.internal;

import java.io.IOException;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.Charts;
import org.attnfer.report.ComparisonTable;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Report;
import org.attnfer.report.TableSpec;
import org.osgi.service.component.annotations.Component;

/** The accuracy of every variant with its 95 % interval. */
@Component(service = ReportSection.class)
public final class BarsSection implements ReportSection {

    @Override
    public String id() {
        return "comparison";
    }

    @Override
    public String title() {
        return "Comparison";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html = new StringBuilder("<div class=\"grid\">\n");
        for (TableSpec spec : data.tables()) {
            String file = "bars-" + Report.slug(spec.name()) + ".png";
            Charts.bars(ComparisonTable.of(spec, data), context.reportDir().resolve(file));
            html.append("<figure>")
                    .append(Report.chart(file, spec.name() + " accuracy"))
                    .append("</figure>\n");
        }
        return Optional.of(html.append("</div>").toString());
    }
}
