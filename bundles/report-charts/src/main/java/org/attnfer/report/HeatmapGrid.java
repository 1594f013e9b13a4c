package org.attnfer.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.attnfer.nn.io.SafeTensors;
import org.attnfer.nn.io.Tensor;

/**
 * Heat-map grids: the same evaluation faces (columns) for each variant (rows), a map overlaid on
 * each face in a blue-to-red colour scale.
 */
final class HeatmapGrid {

    private HeatmapGrid() {}

    /** One run's stored maps. */
    record Stored(Tensor images, Tensor gradcam, Tensor module, String layer, String moduleName, float[] labels) {}

    static Stored read(Path runDir) throws IOException {
        Path f = runDir.resolve("heatmaps.safetensors");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> t = SafeTensors.readWithMetadata(f, meta);
        return new Stored(
                t.get("images"),
                t.get("gradcam"),
                t.get("module"),
                meta.getOrDefault("layer", "?"),
                meta.getOrDefault("module", ""),
                t.get("labels").data());
    }

    /**
     * Draws the grid.
     *
     * @param rows variant name → its stored maps
     * @param module whether to draw the module maps instead of Grad-CAM
     * @return whether anything was drawn
     */
    static boolean draw(Map<String, Stored> rows, List<String> classes, boolean module, String title, Path png)
            throws IOException {
        Map<String, Stored> usable = new LinkedHashMap<>();
        rows.forEach((k, v) -> {
            if (v != null && (!module || v.module() != null)) {
                usable.put(k, v);
            }
        });
        if (usable.isEmpty()) {
            return false;
        }
        Stored first = usable.values().iterator().next();
        int n = (int) first.images().shape()[0];
        int side = (int) first.images().shape()[2];
        int cell = Math.max(72, side);
        int left = 190;
        int top = 60;
        int w = left + n * (cell + 4);
        int h = top + usable.size() * (cell + 4) + 10;
        // drawn at twice the layout size: print resolution, like the charts
        BufferedImage img = new BufferedImage(2 * w, 2 * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.scale(2, 2);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 8, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < n; i++) {
            String label = classes.get((int) first.labels()[i]);
            g.drawString(
                    label, left + i * (cell + 4) + (cell - g.getFontMetrics().stringWidth(label)) / 2, top - 8);
        }
        int row = 0;
        for (Map.Entry<String, Stored> e : usable.entrySet()) {
            Stored s = e.getValue();
            int y = top + row * (cell + 4);
            g.setColor(Color.BLACK);
            if (module) {
                g.drawString(shortened(e.getKey()), 8, y + cell / 2 - 3);
                g.drawString(shortened(s.moduleName()), 8, y + cell / 2 + 11);
            } else {
                g.drawString(shortened(e.getKey()), 8, y + cell / 2 + 4);
            }
            for (int i = 0; i < Math.min(n, (int) s.images().shape()[0]); i++) {
                g.drawImage(overlay(s, i, module), left + i * (cell + 4), y, cell, cell, null);
            }
            row++;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
        return true;
    }

    private static String shortened(String label) {
        return label.length() > 30 ? label.substring(0, 29) + "…" : label;
    }

    /** A face with a map on it. */
    static BufferedImage overlay(Stored s, int i, boolean module) {
        int c = (int) s.images().shape()[1];
        int side = (int) s.images().shape()[2];
        float[] px = s.images().data();
        float[] map = (module ? s.module() : s.gradcam()).data();
        int plane = side * side;
        float[][] m = new float[side][side];
        for (int y = 0; y < side; y++) {
            System.arraycopy(map, i * plane + y * side, m[y], 0, side);
        }
        return Overlays.overlay(Overlays.image(px, i * c * plane, c, side), m);
    }
}
