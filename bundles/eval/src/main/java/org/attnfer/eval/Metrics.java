package org.attnfer.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ConfusionMatrix;

/**
 * Classification metrics of a set of predictions, computed by ND4J's {@link Evaluation}. Macro
 * averages are unweighted means of the per-class values over every class that occurs or is
 * predicted; a class that occurs but is never predicted counts with precision and F1 of 0. (ND4J's
 * own macro F1 leaves such classes out, which flatters a model that ignores a rare class.)
 *
 * @param accuracy the share of correct predictions
 * @param macroPrecision mean per-class precision
 * @param macroRecall mean per-class recall
 * @param macroF1 mean per-class F1
 * @param perClass per-class values, in class order
 * @param confusion counts, {@code confusion[actual][predicted]}
 * @param count the number of predictions
 */
public record Metrics(
        double accuracy,
        double macroPrecision,
        double macroRecall,
        double macroF1,
        List<ClassMetrics> perClass,
        int[][] confusion,
        int count) {

    /**
     * Computes the metrics.
     *
     * @param actual the true class of each item
     * @param predicted the predicted class of each item
     * @param classes the class names
     */
    public static Metrics of(int[] actual, int[] predicted, List<String> classes) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " labels but " + predicted.length + " predictions");
        }
        if (actual.length == 0) {
            throw new IllegalArgumentException("no predictions to evaluate");
        }
        Evaluation eval = new Evaluation(new ArrayList<>(classes));
        for (int i = 0; i < actual.length; i++) {
            // ND4J's int API takes the prediction first: swapping them silently transposes the matrix
            eval.eval(predicted[i], actual[i]);
        }
        int n = classes.size();
        ConfusionMatrix<Integer> cm = eval.getConfusionMatrix();
        int[][] confusion = new int[n][n];
        List<ClassMetrics> perClass = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            int support = 0;
            for (int p = 0; p < n; p++) {
                confusion[a][p] = cm.getCount(a, p);
                support += confusion[a][p];
            }
            perClass.add(new ClassMetrics(classes.get(a), eval.precision(a), eval.recall(a), eval.f1(a), support));
        }
        List<ClassMetrics> present = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            int predictedCount = 0;
            for (int a = 0; a < n; a++) {
                predictedCount += confusion[a][c];
            }
            if (perClass.get(c).support() > 0 || predictedCount > 0) {
                present.add(perClass.get(c));
            }
        }
        return new Metrics(
                eval.accuracy(),
                present.stream().mapToDouble(ClassMetrics::precision).average().orElse(0),
                present.stream().mapToDouble(ClassMetrics::recall).average().orElse(0),
                present.stream().mapToDouble(ClassMetrics::f1).average().orElse(0),
                perClass,
                confusion,
                actual.length);
    }

    /** Flat values for {@code metrics.json} and tables. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("macro_precision", macroPrecision);
        m.put("macro_recall", macroRecall);
        m.put("macro_f1", macroF1);
        m.put("count", count);
        Map<String, Object> classes = new LinkedHashMap<>();
        for (ClassMetrics c : perClass) {
            classes.put(c.name(), Map.of("precision", c.precision(), "recall", c.recall(), "f1", c.f1(), "support", c.support()));
        }
        m.put("per_class", classes);
        m.put("confusion", confusion);
        return m;
    }
}
