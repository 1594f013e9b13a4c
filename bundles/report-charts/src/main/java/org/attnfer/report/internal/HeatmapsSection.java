package org.attnfer.report.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.report.ExperimentData;
import org.attnfer.report.HeatmapsGrids;
import org.attnfer.report.Html;
import org.attnfer.report.Report;
import org.attnfer.report.TableSpec;
import org.osgi.service.component.annotations.Component;

/**
 * Grad-CAM heat maps of the same evaluation faces for each variant (the paper's Figs. 7–8), the
 * modules' own attention maps next to them, and the focus scores where the data knows its face
 * regions.
 */
@Component(service = ReportSection.class)
public final class HeatmapsSection implements ReportSection {

    @Override
    public String id() {
        return "heatmaps";
    }

    @Override
    public String title() {
        return "Heat maps";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public Optional<String> render(ReportContext context) throws IOException {
        ExperimentData data = Report.data(context);
        StringBuilder html = new StringBuilder();
        boolean any = false;
        for (TableSpec spec : data.tables()) {
            Map<String, String> files = new LinkedHashMap<>();
            files.put("gradcam", "heatmaps-" + Report.slug(spec.name()) + "-gradcam.png");
            files.put("module", "heatmaps-" + Report.slug(spec.name()) + "-modules.png");
            Map<String, Boolean> drawn = HeatmapsGrids.draw(data, spec, context.reportDir(), files);
            if (drawn.get("gradcam")) {
                any = true;
                html.append("<h3>").append(Html.escape(spec.name())).append("</h3>\n");
                html.append(Report.img(files.get("gradcam"), "Grad-CAM of " + spec.name()));
                if (drawn.get("module")) {
                    html.append(Report.img(files.get("module"), "module attention maps of " + spec.name()));
                }
            }
        }
        if (!any) {
            return Optional.empty();
        }
        return Optional.of(
                "<p class=\"note\">Grad-CAM for the true class at the last block of the last stage (after its "
                        + "attention), "
                        + "first seed of each variant; red is high. Below it, the last attention module's own spatial "
                        + "map where it has one. "
                        + "Focus scores (share of Grad-CAM energy on the face and on brows, eyes and mouth, and how "
                        + "often its peak falls on the "
                        + "face) are in the tables when the data knows its face regions.</p>\n" + html);
    }
}
