package org.attnfer.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.train.TrainingConfig;

/**
 * A validated experiment: what data, which models, which seeds, how to train, where to write.
 *
 * @param file the experiment file
 * @param name the experiment's name
 * @param dataset the dataset kind and its options
 * @param test a held-out test set of the same classes, or {@code null}; when present, final
 *     metrics are measured on it (never on data used to choose epochs)
 * @param validation the share of the data held out for validation (unused with a validation set)
 * @param validationSet a separate validation set of the same classes, or {@code null}
 * @param splitSeed the seed of the training/validation split, the same for every run
 * @param splitBy whether validation holds out items or whole subjects
 * @param input the network input
 * @param variants the models
 * @param seeds the training seeds
 * @param training the training settings
 * @param output the folder of the run folders
 * @param tables the comparison tables of the report
 */
public record Experiment(
        Path file,
        String name,
        DatasetSpec dataset,
        DatasetSpec test,
        double validation,
        DatasetSpec validationSet,
        long splitSeed,
        Split.By splitBy,
        InputSpec input,
        List<Variant> variants,
        List<Long> seeds,
        TrainingConfig training,
        Path output,
        List<Table> tables) {

    /**
     * A comparison table of the report.
     *
     * @param name its caption
     * @param baseline the variant the others are compared with
     * @param variants its rows
     */
    public record Table(String name, String baseline, List<String> variants) {}

    /**
     * A dataset reference.
     *
     * @param type the provider id
     * @param options the provider's options, as written
     * @param where {@code file:line:} of the dataset mapping
     * @param typeWhere {@code file:line:} of its type
     */
    public record DatasetSpec(String type, Map<String, Object> options, String where, String typeWhere) {}
}
