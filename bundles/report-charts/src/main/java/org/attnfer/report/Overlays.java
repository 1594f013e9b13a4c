package org.attnfer.report;

import java.awt.image.BufferedImage;

/** A heat map drawn over an image: blue (0) through green and yellow to red (1), half transparent. */
public final class Overlays {

    private Overlays() {}

    /**
     * Blends a map over an image of the same size.
     *
     * @param image the image
     * @param map values in [0, 1], {@code [height][width]}
     */
    public static BufferedImage overlay(BufferedImage image, float[][] map) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                double[] heat = heat(map[y][x]);
                out.setRGB(
                        x,
                        y,
                        rgb(
                                0.5 * (p >> 16 & 0xff) / 255 + 0.5 * heat[0],
                                0.5 * (p >> 8 & 0xff) / 255 + 0.5 * heat[1],
                                0.5 * (p & 0xff) / 255 + 0.5 * heat[2]));
            }
        }
        return out;
    }

    /**
     * An image from planar pixels in [0, 1], as networks see them after undoing the normalisation.
     *
     * @param pixels {@code channels} planes of {@code side × side} values, starting at {@code offset}
     * @param channels 1 (gray) or 3 (RGB)
     */
    public static BufferedImage image(float[] pixels, int offset, int channels, int side) {
        int plane = side * side;
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int r = level(pixels[offset + p]);
            int g = channels == 3 ? level(pixels[offset + plane + p]) : r;
            int b = channels == 3 ? level(pixels[offset + 2 * plane + p]) : r;
            out.setRGB(p % side, p / side, r << 16 | g << 8 | b);
        }
        return out;
    }

    private static int level(float v) {
        return Math.max(0, Math.min(255, Math.round(255 * v)));
    }

    private static double[] heat(double v) {
        double t = clamp(v);
        return new double[] {
            clamp(1.5 - Math.abs(4 * t - 3)), clamp(1.5 - Math.abs(4 * t - 2)), clamp(1.5 - Math.abs(4 * t - 1))
        };
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static int rgb(double r, double g, double b) {
        return (int) Math.round(255 * clamp(r)) << 16
                | (int) Math.round(255 * clamp(g)) << 8
                | (int) Math.round(255 * clamp(b));
    }
}
