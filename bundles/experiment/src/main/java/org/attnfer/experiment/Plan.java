package org.attnfer.experiment;

import java.util.List;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.Split;

/**
 * An experiment checked against the running framework: its dataset opened and split, every
 * variant composed once. Nothing has trained yet.
 *
 * @param experiment the experiment
 * @param dataset the opened dataset
 * @param test the opened test set, or {@code null}
 * @param split the training/validation split
 * @param parameters the trainable-parameter count of each variant, in variant order
 * @param cells the grid's cells, in index order
 */
public record Plan(
        Experiment experiment, Dataset dataset, Dataset test, Split split, List<Long> parameters, List<Cell> cells) {}
