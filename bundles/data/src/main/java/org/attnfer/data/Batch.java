package org.attnfer.data;

/**
 * One batch, ready to become arrays: {@code data} is {@code [n, C, H, W]} in row-major order.
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
}
