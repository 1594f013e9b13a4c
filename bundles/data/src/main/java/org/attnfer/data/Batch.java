package org.attnfer.data;

/**
 * One batch, ready to become arrays: {@code data} is {@code [rows, C, H, W]} in row-major order,
 * one row per item, or ten consecutive rows per item with test-time augmentation.
 *
 * @param data the normalised pixels
 * @param labels the class of each item
 * @param indices the dataset index of each item
 */
public record Batch(float[] data, int[] labels, int[] indices) {

    /** The number of items. */
    public int size() {
        return labels.length;
    }

    /** The number of rows of {@code data}. */
    public int rows(InputSpec input) {
        return data.length / input.length();
    }
}
