package org.attnfer.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attnfer.composer.ModelSpec;
import org.attnfer.train.TrainingConfig;

/**
 * One model of an experiment, with the training settings it runs with.
 *
 * @param name its name in tables ({@code ResNet50+CA}, or {@code ResNet50+CA lr=0.01} in a sweep)
 * @param model the model
 * @param settings the swept settings that distinguish it ({@code training.lr → 0.01}), in sweep
 *     order; empty outside a sweep
 * @param training its training settings: the experiment's, with {@code settings} applied
 * @param where {@code file:line:} of its definition, for errors found when it is composed
 * @param init the weights it starts from, or {@code null} for a fresh initialisation
 */
public record Variant(
        String name,
        ModelSpec model,
        Map<String, String> settings,
        TrainingConfig training,
        String where,
        WeightSource init) {

    /** Copies the settings, keeping their order. */
    public Variant {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * A name fit for a folder: letters, digits and {@code + - _ . =}; any run of other characters becomes one {@code
     * _}.
     */
    public String folder() {
        return folderOf(name);
    }

    /** The folder of a variant named {@code name}. */
    public static String folderOf(String name) {
        return name.replaceAll("[^A-Za-z0-9+._=-]+", "_");
    }
}
