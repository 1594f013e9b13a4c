package org.attnfer.data;

import java.awt.geom.AffineTransform;

/**
 * The network's input: images are resized to {@code resize × resize}, of which the network sees a
 * {@code size × size} window (the centre in evaluation, a random one in training, corners and
 * centre with ten-crop TTA), converted to {@code channels} channels (1: luminance; 3: RGB), scaled
 * to [0, 1], then normalised as {@code (v − 0.5) / 0.5}. With {@code resize == size} the network
 * sees the whole image; FER2013 papers train on 40- to 44-pixel windows of the 48-pixel faces.
 *
 * @param channels 1 or 3
 * @param size the network's side in pixels
 * @param resize the side images are resized to before the window is cut, at least {@code size}
 */
public record InputSpec(int channels, int size, int resize) {

    /** Checks the values. */
    public InputSpec {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("input channels must be 1 or 3, got " + channels);
        }
        if (size < 8 || size > 1024) {
            throw new IllegalArgumentException("input size must be between 8 and 1024, got " + size);
        }
        if (resize < size || resize > 1024) {
            throw new IllegalArgumentException(
                    "input resize must be between the size " + size + " and 1024, got " + resize);
        }
    }

    /** The whole image at {@code size × size}. */
    public InputSpec(int channels, int size) {
        this(channels, size, size);
    }

    /** For people: {@code 1×48×48}, or {@code 1×40×40 windows of 48×48}. */
    public String describe() {
        String shape = channels + "×" + size + "×" + size;
        return resize == size ? shape : shape + " windows of " + resize + "×" + resize;
    }

    /** Values per image. */
    public int length() {
        return channels * size * size;
    }

    /** Pixels between the resized image's edge and the centre window's. */
    public int margin() {
        return (resize - size) / 2;
    }

    /** Where a pixel of a {@code width × height} image lands in the network's input (the centre window). */
    public AffineTransform placement(int width, int height) {
        AffineTransform t = AffineTransform.getTranslateInstance(-margin(), -margin());
        t.scale((double) resize / width, (double) resize / height);
        return t;
    }
}
