package org.attnfer.data;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Test-time augmentation: the views of one image whose class probabilities are averaged. Ten-crop
 * as the FER2013 papers evaluate (Khaireddin &amp; Chen, "Facial Emotion Recognition: State of the
 * Art Performance on FER2013", 2021): the four corner windows and the centre window of the image
 * resized to the input's {@code resize} (enlarged by 1/8 where that is its size), and their mirror
 * images. With a {@code zoom}, the ten windows are also taken from the image resized that share
 * smaller and larger: thirty views at three scales, sizes the training's random zoom has shown the
 * network.
 *
 * @param crops whether an image becomes its ten-crop views at all (otherwise its centre window alone)
 * @param zoom the relative size change of the two further scales; 0 keeps one scale
 */
public record TestViews(boolean crops, double zoom) {

    /** The centre window alone: no test-time augmentation. */
    public static final TestViews NONE = new TestViews(false, 0);

    /** Ten-crop at one scale. */
    public static final TestViews TEN_CROP = new TestViews(true, 0);

    private static final int PER_SCALE = 10;

    /** Checks the combination. */
    public TestViews {
        if (!(zoom >= 0 && zoom <= 0.4)) {
            throw new IllegalArgumentException("the test-time zoom must be between 0 and 0.4, got " + zoom);
        }
        if (zoom > 0 && !crops) {
            throw new IllegalArgumentException("tta_zoom (" + zoom + ") needs tta: true");
        }
    }

    /** Rows per image. */
    public int count() {
        return !crops ? 1 : zoom > 0 ? 3 * PER_SCALE : PER_SCALE;
    }

    /** How results name it: {@code ten-crop TTA at 3 scales, ±8 %}; empty for none. */
    public String describe() {
        if (!crops) {
            return "";
        }
        return zoom > 0 ? String.format(Locale.ROOT, "ten-crop TTA at 3 scales, ±%.0f %%", 100 * zoom) : "ten-crop TTA";
    }

    /**
     * The {@link #count()} views of an image at the input's size, scale by scale (smaller, as
     * resized, larger), each scale's five windows then their mirror images.
     */
    public List<BufferedImage> of(BufferedImage image, InputSpec input) {
        int size = input.size();
        int big = input.resize() > size ? input.resize() : Math.round(size * 9f / 8f);
        List<BufferedImage> views = new ArrayList<>(count());
        if (zoom > 0) {
            // never below the window: a face shrunk to it is seen whole, five times
            views.addAll(tenCrop(image, size, Math.max(size, (int) Math.round(big * (1 - zoom)))));
        }
        views.addAll(tenCrop(image, size, big));
        if (zoom > 0) {
            views.addAll(tenCrop(image, size, (int) Math.round(big * (1 + zoom))));
        }
        return views;
    }

    private static List<BufferedImage> tenCrop(BufferedImage image, int size, int big) {
        BufferedImage large = Pixels.resize(image, big);
        int m = big - size;
        int[][] origins = {{0, 0}, {m, 0}, {0, m}, {m, m}, {m / 2, m / 2}};
        List<BufferedImage> views = new ArrayList<>(PER_SCALE);
        for (boolean mirror : new boolean[] {false, true}) {
            for (int[] o : origins) {
                BufferedImage crop = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = crop.createGraphics();
                // a mirrored draw swaps the destination's x bounds
                g.drawImage(
                        large,
                        mirror ? size : 0,
                        0,
                        mirror ? 0 : size,
                        size,
                        o[0],
                        o[1],
                        o[0] + size,
                        o[1] + size,
                        null);
                g.dispose();
                views.add(crop);
            }
        }
        return views;
    }
}
