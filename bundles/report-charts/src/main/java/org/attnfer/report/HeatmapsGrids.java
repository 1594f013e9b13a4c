package org.attnfer.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The heat-map grids of a table: Grad-CAM and module maps of each variant's first seed. */
public final class HeatmapsGrids {

    private HeatmapsGrids() {}

    /**
     * Draws both grids of a table.
     *
     * @param files {@code gradcam} and {@code module} file names in the report folder
     * @return which grids were drawn
     */
    public static Map<String, Boolean> draw(ExperimentData data, TableSpec spec, Path dir, Map<String, String> files)
            throws IOException {
        Map<String, HeatmapGrid.Stored> rows = new LinkedHashMap<>();
        for (String variant : spec.variants()) {
            List<RunData> runs = data.runsOf(variant);
            rows.put(
                    variant,
                    runs.isEmpty() ? null : HeatmapGrid.read(runs.get(0).dir()));
        }
        String layer = rows.values().stream()
                .filter(Objects::nonNull)
                .map(HeatmapGrid.Stored::layer)
                .findFirst()
                .orElse("?");
        Map<String, Boolean> out = new LinkedHashMap<>();
        out.put(
                "gradcam",
                HeatmapGrid.draw(
                        rows,
                        data.classes(),
                        false,
                        spec.name() + ": Grad-CAM at " + layer,
                        dir.resolve(files.get("gradcam"))));
        out.put(
                "module",
                HeatmapGrid.draw(
                        rows,
                        data.classes(),
                        true,
                        spec.name()
                                + ": modules' own spatial attention where it first appears, each map from its minimum "
                                + "to its maximum",
                        dir.resolve(files.get("module"))));
        return out;
    }
}
