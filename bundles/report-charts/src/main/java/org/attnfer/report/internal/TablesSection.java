package org.attnfer.report.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.ComparisonTable;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.Html;
import org.attnfer.report.Report;
import org.attnfer.report.TableFormats;
import org.attnfer.report.TableSpec;
import org.osgi.service.component.annotations.Component;

/** The comparison tables, each also as CSV, Markdown and LaTeX files. */
@Component(service = ReportSection.class)
public final class TablesSection implements ReportSection {

    @Override
    public String id() {
        return "tables";
    }

    @Override
    public String title() {
        return "Tables";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html = new StringBuilder();
        for (TableSpec spec : data.tables()) {
            ComparisonTable t = ComparisonTable.of(spec, data);
            String base = "table-" + Report.slug(spec.name());
            Files.writeString(context.reportDir().resolve(base + ".csv"), TableFormats.csv(t));
            Files.writeString(context.reportDir().resolve(base + ".md"), TableFormats.markdown(t));
            Files.writeString(context.reportDir().resolve(base + ".tex"), TableFormats.latex(t));
            html.append(TableFormats.html(t)).append("<p class=\"note\">Also as ");
            for (String ext : new String[] {"csv", "md", "tex"}) {
                html.append("<a href=\"")
                        .append(Html.escape(base + "." + ext))
                        .append("\">")
                        .append(ext.toUpperCase(Locale.ROOT))
                        .append("</a> ");
            }
            html.append("</p>\n");
        }
        return Optional.of(html.toString());
    }
}
