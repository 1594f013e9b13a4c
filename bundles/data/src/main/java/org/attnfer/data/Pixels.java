package org.attnfer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Converts images to the network's input layout: CHW floats, normalised. */
public final class Pixels {

    private Pixels() {}

    /**
     * Writes what the network sees of one image in evaluation into {@code out} at {@code offset},
     * channel-major.
     *
     * @param image any image
     * @param input the target layout
     * @param out the batch buffer
     * @param offset where this image starts
     */
    public static void write(BufferedImage image, InputSpec input, float[] out, int offset) {
        writeView(view(image, input), input, out, offset);
    }

    /**
     * Writes an image that already is the network's {@code size × size} view, such as a ten-crop
     * view or an augmented draw, into {@code out} at {@code offset}, channel-major.
     */
    public static void writeView(BufferedImage view, InputSpec input, float[] out, int offset) {
        int side = input.size();
        if (view.getWidth() != side || view.getHeight() != side) {
            throw new IllegalArgumentException(
                    "a view must be " + side + "×" + side + ", got " + view.getWidth() + "×" + view.getHeight());
        }
        int n = side * side;
        int[] argb = view.getRGB(0, 0, side, side, null, 0, side);
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            float r = (p >> 16 & 0xff) / 255f;
            float g = (p >> 8 & 0xff) / 255f;
            float b = (p & 0xff) / 255f;
            if (input.channels() == 1) {
                // ITU-R BT.601 luma, as image libraries convert to gray
                out[offset + i] = norm(0.299f * r + 0.587f * g + 0.114f * b);
            } else {
                out[offset + i] = norm(r);
                out[offset + n + i] = norm(g);
                out[offset + 2 * n + i] = norm(b);
            }
        }
    }

    private static float norm(float v) {
        return (v - 0.5f) / 0.5f;
    }

    /** A network input value back in [0, 1]: the inverse of the normalisation {@link #write} applies. */
    public static float unit(float normalised) {
        return (normalised + 1) / 2;
    }

    /** What the network sees of an image in evaluation: resized (bilinear), then its centre window, in RGB. */
    private static BufferedImage view(BufferedImage image, InputSpec input) {
        BufferedImage resized = resize(image, input.resize());
        return input.resize() == input.size()
                ? resized
                : resized.getSubimage(input.margin(), input.margin(), input.size(), input.size());
    }

    /** The image at {@code size × size} in RGB, unchanged if it already is. */
    public static BufferedImage resize(BufferedImage image, int size) {
        if (image.getWidth() == size && image.getHeight() == size && image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, size, size, null);
        g.dispose();
        return out;
    }
}
