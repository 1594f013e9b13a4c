package org.attnfer.data;

/**
 * The network's input: images are resized to {@code size × size} and converted to {@code channels}
 * channels (1: luminance; 3: RGB), scaled to [0, 1], then normalised as {@code (v − 0.5) / 0.5}.
 *
 * @param channels 1 or 3
 * @param size the side in pixels
 */
public record InputSpec(int channels, int size) {

    /** Checks the values. */
    public InputSpec {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("input channels must be 1 or 3, got " + channels);
        }
        if (size < 8 || size > 1024) {
            throw new IllegalArgumentException("input size must be between 8 and 1024, got " + size);
        }
    }

    /** Values per image. */
    public int length() {
        return channels * size * size;
    }
}
