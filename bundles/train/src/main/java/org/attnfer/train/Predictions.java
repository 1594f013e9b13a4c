package org.attnfer.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.attnfer.api.data.Dataset;
import org.attnfer.eval.Metrics;

/**
 * A model's outputs on a set of items.
 *
 * @param indices the dataset index of each item
 * @param actual the true classes
 * @param predicted the arg-max classes
 * @param probabilities the softmax probabilities, {@code [item][class]}
 * @param loss the mean cross-entropy
 */
public record Predictions(int[] indices, int[] actual, int[] predicted, float[][] probabilities, double loss) {

    /**
     * Predictions from probabilities: the arg-max class of each item (the first on ties) and the mean cross-entropy.
     */
    public static Predictions of(int[] indices, int[] actual, float[][] probabilities) {
        int[] predicted = new int[probabilities.length];
        double lossSum = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float[] row = probabilities[i];
            for (int c = 1; c < row.length; c++) {
                predicted[i] = row[c] > row[predicted[i]] ? c : predicted[i];
            }
            lossSum -= Math.log(Math.max(row[actual[i]], 1e-12));
        }
        return new Predictions(indices, actual, predicted, probabilities, lossSum / probabilities.length);
    }

    /**
     * The ensemble of several models' predictions on the same items: the mean of their class
     * probabilities, item by item.
     *
     * @throws IllegalArgumentException if they are not on the same items with the same classes
     */
    public static Predictions mean(List<Predictions> members) {
        Predictions first = members.get(0);
        int n = first.indices().length;
        int classes = n == 0 ? 0 : first.probabilities()[0].length;
        float[][] mean = new float[n][classes];
        for (Predictions p : members) {
            if (!Arrays.equals(p.indices(), first.indices())
                    || !Arrays.equals(p.actual(), first.actual())
                    || (n > 0 && p.probabilities()[0].length != classes)) {
                throw new IllegalArgumentException(
                        "an ensemble needs predictions on the same items with the same classes");
            }
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < classes; c++) {
                    mean[i][c] += p.probabilities()[i][c] / members.size();
                }
            }
        }
        return of(first.indices().clone(), first.actual().clone(), mean);
    }

    /** The metrics of these predictions, with top-2 accuracy and calibration error. */
    public Metrics metrics(List<String> classes) {
        return Metrics.of(actual, probabilities, classes);
    }

    /**
     * Writes one CSV row per item: {@code index,item,true,predicted,p_CLASS…} (the dataset index,
     * the item's id, the true and predicted class names, the probabilities to 6 decimals), the
     * file a run's {@code predictions.csv} is, from which every metric can be recomputed. Written
     * under a temporary name and renamed, so a failure leaves no half-written file.
     *
     * @param dataset the dataset the indices refer to, with the classes of the probabilities
     */
    public void write(Path file, Dataset dataset) throws IOException {
        List<String> classes = dataset.classes();
        Checkpoint.atomically(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
                w.write("index,item,true,predicted");
                for (String c : classes) {
                    w.write(",p_" + c);
                }
                w.newLine();
                for (int i = 0; i < indices.length; i++) {
                    w.write(indices[i] + "," + csv(dataset.get(indices[i]).id()) + "," + classes.get(actual[i]) + ","
                            + classes.get(predicted[i]));
                    for (float prob : probabilities[i]) {
                        w.write(String.format(Locale.ROOT, ",%.6f", prob));
                    }
                    w.newLine();
                }
            }
        });
    }

    /** A CSV field, quoted when it holds a comma or a quote. */
    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
