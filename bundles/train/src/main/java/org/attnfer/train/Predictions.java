package org.attnfer.train;

import java.util.List;
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

    /** The metrics of these predictions, with top-2 accuracy and calibration error. */
    public Metrics metrics(List<String> classes) {
        return Metrics.of(actual, probabilities, classes);
    }
}
