package org.attnfer.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run folder read back.
 *
 * @param variant the variant's name
 * @param model its model name
 * @param seed the seed
 * @param dir the folder
 * @param metrics the final metrics ({@code accuracy}, {@code macro_precision}, {@code macro_recall},
 *     {@code macro_f1}, and focus scores when measured)
 * @param confusion counts, {@code [actual][predicted]}
 * @param epochs the per-epoch log by column ({@code val_accuracy} …)
 * @param items the evaluated items, in {@code predictions.csv} order
 * @param actual their true classes
 * @param predicted their predicted classes
 * @param params trainable parameters (−1 when unknown)
 * @param macs multiply-accumulates per image (−1 when unknown)
 */
public record RunData(
        String variant,
        String model,
        long seed,
        Path dir,
        Map<String, Double> metrics,
        int[][] confusion,
        Map<String, double[]> epochs,
        List<String> items,
        int[] actual,
        int[] predicted,
        long params,
        long macs) {

    /** Per item: 1 if predicted right, else 0. */
    public double[] correct() {
        double[] c = new double[actual.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = actual[i] == predicted[i] ? 1 : 0;
        }
        return c;
    }
}
