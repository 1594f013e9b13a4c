package org.attnfer.api.report;

import java.nio.file.Path;
import java.util.Map;

/**
 * One finished run (one variant, one seed) as a report sees it.
 *
 * @param variant the variant's name in the experiment ({@code ResNet50+CA})
 * @param model the model it composed, with its stem and width where they are not the defaults
 *     ({@code resnet50+ca}, {@code resnet18+simam, half stem, width 0.5})
 * @param seed the seed
 * @param dir the run folder, with its files ({@code epochs.csv}, {@code predictions.csv}, ...)
 * @param metrics the final metrics ({@code accuracy}, {@code macro_f1}, ...)
 */
public record RunRecord(String variant, String model, long seed, Path dir, Map<String, Double> metrics) {

    /** Copies the metrics. */
    public RunRecord {
        metrics = Map.copyOf(metrics);
    }
}
