package org.attnfer.eval;

import java.awt.Shape;
import java.util.Map;

/**
 * How much of a heat map lies on the face: the share of its energy inside the face region and
 * inside the key regions (brows, eyes, mouth), and whether its peak falls on the face (the
 * pointing game). Turns "the network looks at the face" into numbers.
 */
public final class Focus {

    private double face;
    private double regions;
    private int hits;
    private int count;

    /**
     * Adds one image.
     *
     * @param map the heat map at the image's resolution, [0, 1]
     * @param shapes the image's regions: {@code face} and key regions, in pixel coordinates
     */
    public void add(float[][] map, Map<String, Shape> shapes) {
        Shape faceShape = shapes.get("face");
        if (faceShape == null) {
            return;
        }
        double total = 0;
        double inFace = 0;
        double inKey = 0;
        int peakX = 0;
        int peakY = 0;
        for (int y = 0; y < map.length; y++) {
            for (int x = 0; x < map[y].length; x++) {
                double v = map[y][x];
                total += v;
                if (faceShape.contains(x + 0.5, y + 0.5)) {
                    inFace += v;
                }
                for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                    if (!e.getKey().equals("face") && e.getValue().contains(x + 0.5, y + 0.5)) {
                        inKey += v;
                        break;
                    }
                }
                if (v > map[peakY][peakX]) {
                    peakX = x;
                    peakY = y;
                }
            }
        }
        if (total <= 0) {
            count++;
            return;
        }
        face += inFace / total;
        regions += inKey / total;
        hits += faceShape.contains(peakX + 0.5, peakY + 0.5) ? 1 : 0;
        count++;
    }

    /** Whether any image was scored. */
    public boolean any() {
        return count > 0;
    }

    /** Mean share inside the face. */
    public double face() {
        return face / count;
    }

    /** Mean share inside the key regions. */
    public double regions() {
        return regions / count;
    }

    /** Share of images whose peak lies on the face. */
    public double pointing() {
        return (double) hits / count;
    }
}
