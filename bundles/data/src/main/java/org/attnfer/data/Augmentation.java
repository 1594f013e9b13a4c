package org.attnfer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;

/**
 * Training-time augmentation: one random affine map per image (flip, rotation, scale, shift as a
 * padded random crop), then brightness and contrast, then random erasing. Every draw comes from a
 * generator seeded by the run's seed, the epoch and the item, so a run is repeatable whatever the
 * threads do.
 *
 * @param shift largest shift in pixels of the input size (a random crop after padding by this much),
 *     beyond the room the window has where the input is resized larger than its size
 * @param flip whether images are mirrored with probability ½
 * @param rotate largest rotation in degrees
 * @param scale largest relative zoom in or out
 * @param brightness largest relative brightness change
 * @param contrast largest relative contrast change
 * @param erase probability of erasing one random rectangle (2–20 % of the image)
 */
public record Augmentation(
        int shift, boolean flip, double rotate, double scale, double brightness, double contrast, double erase) {

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, false, 0, 0, 0, 0, 0);

    /** The options of an experiment's {@code augment} section, with the defaults used when it is present. */
    public static final List<ParamSpec> OPTIONS = List.of(
            ParamSpec.ofInt("shift", 4, "largest shift in pixels (random crop after padding)")
                    .atLeast(0),
            ParamSpec.ofBoolean("flip", true, "mirror half of the images"),
            ParamSpec.ofDouble("rotate", 10.0, "largest rotation in degrees")
                    .atLeast(0)
                    .atMost(180),
            ParamSpec.ofDouble("scale", 0.1, "largest relative zoom").atLeast(0).atMost(0.9),
            ParamSpec.ofDouble("brightness", 0.2, "largest relative brightness change")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("contrast", 0.2, "largest relative contrast change")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("erase", 0.25, "probability of random erasing")
                    .atLeast(0)
                    .atMost(1));

    /** The augmentation of validated options. */
    public static Augmentation of(Params p) {
        return new Augmentation(
                p.getInt("shift"),
                p.getBoolean("flip"),
                p.getDouble("rotate"),
                p.getDouble("scale"),
                p.getDouble("brightness"),
                p.getDouble("contrast"),
                p.getDouble("erase"));
    }

    /** Whether it changes anything. */
    public boolean active() {
        return !equals(NONE);
    }

    /** The generator of one item in one epoch. */
    public static Random random(long seed, int epoch, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        return new Random(h * 0xBF58476D1CE4E5B9L);
    }

    /**
     * The geometric part: the image redrawn at the network's input size through one random affine
     * map. The window moves by up to {@code shift} pixels plus the input's margin, so with {@code
     * resize} larger than {@code size} it is a random crop of the resized image.
     */
    public BufferedImage geometry(BufferedImage image, InputSpec input, Random r) {
        int size = input.size();
        int reach = shift + input.margin();
        double s = 1 + scale * (2 * r.nextDouble() - 1);
        double angle = Math.toRadians(rotate * (2 * r.nextDouble() - 1));
        double dx = reach == 0 ? 0 : r.nextInt(2 * reach + 1) - reach;
        double dy = reach == 0 ? 0 : r.nextInt(2 * reach + 1) - reach;
        boolean mirror = flip && r.nextBoolean();
        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0 + dx, size / 2.0 + dy);
        t.rotate(angle);
        t.scale(s * (mirror ? -1 : 1) * input.resize() / image.getWidth(), s * input.resize() / image.getHeight());
        t.translate(-image.getWidth() / 2.0, -image.getHeight() / 2.0);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, t, null);
        g.dispose();
        return out;
    }

    /**
     * The photometric part and erasing, on one normalised image of {@code channels × size × size}
     * values at {@code offset}.
     */
    public void pixels(float[] data, int offset, InputSpec input, Random r) {
        int n = input.length();
        float gain = (float) (1 + contrast * (2 * r.nextDouble() - 1));
        float bias = (float) (2 * brightness * (2 * r.nextDouble() - 1));
        if (gain != 1f || bias != 0f) {
            float mean = 0;
            for (int i = 0; i < n; i++) {
                mean += data[offset + i];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                data[offset + i] = Math.max(-1f, Math.min(1f, (data[offset + i] - mean) * gain + mean + bias));
            }
        }
        if (r.nextDouble() < erase) {
            int side = input.size();
            double area = (0.02 + 0.18 * r.nextDouble()) * side * side;
            double aspect = Math.exp(Math.log(0.3) + (Math.log(3.3) - Math.log(0.3)) * r.nextDouble());
            int h = Math.min(side, (int) Math.round(Math.sqrt(area * aspect)));
            int w = Math.min(side, (int) Math.round(Math.sqrt(area / aspect)));
            int y0 = r.nextInt(side - h + 1);
            int x0 = r.nextInt(side - w + 1);
            int plane = side * side;
            for (int c = 0; c < input.channels(); c++) {
                for (int y = y0; y < y0 + h; y++) {
                    for (int x = x0; x < x0 + w; x++) {
                        data[offset + c * plane + y * side + x] = 0f;
                    }
                }
            }
        }
    }
}
