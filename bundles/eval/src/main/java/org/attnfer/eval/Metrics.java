package org.attnfer.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;

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
 * @param top2 the share of items whose class is among the two most probable; NaN without probabilities
 * @param ece the expected calibration error over {@value #ECE_BINS} equal-width confidence bins
 *     (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017); NaN without probabilities
 */
public record Metrics(
        double accuracy,
        double macroPrecision,
        double macroRecall,
        double macroF1,
        List<ClassMetrics> perClass,
        int[][] confusion,
        int count,
        double top2,
        double ece) {

    /** Confidence bins of the calibration error. */
    public static final int ECE_BINS = 15;

    /**
     * Computes the metrics from probabilities: those of the arg-max predictions, plus top-2 accuracy
     * and the expected calibration error.
     *
     * @param actual the true class of each item
     * @param probabilities {@code [item][class]}, each row summing to 1
     * @param classes the class names
     */
    public static Metrics of(int[] actual, float[][] probabilities, List<String> classes) {
        int n = actual.length;
        int[] predicted = new int[n];
        int top2 = 0;
        double[] confidence = new double[ECE_BINS];
        int[] correct = new int[ECE_BINS];
        int[] inBin = new int[ECE_BINS];
        for (int i = 0; i < n; i++) {
            float[] p = probabilities[i];
            int first = 0;
            for (int c = 1; c < p.length; c++) {
                first = p[c] > p[first] ? c : first;
            }
            int second = first == 0 ? 1 : 0;
            for (int c = 0; c < p.length; c++) {
                second = c != first && p[c] > p[second] ? c : second;
            }
            predicted[i] = first;
            top2 += actual[i] == first || (p.length > 1 && actual[i] == second) ? 1 : 0;
            int bin = Math.min(ECE_BINS - 1, (int) (p[first] * ECE_BINS));
            inBin[bin]++;
            confidence[bin] += p[first];
            correct[bin] += actual[i] == first ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (inBin[b] > 0) {
                ece += Math.abs(correct[b] - confidence[b]) / Math.max(1, n);
            }
        }
        Metrics m = of(actual, predicted, classes);
        return new Metrics(
                m.accuracy,
                m.macroPrecision,
                m.macroRecall,
                m.macroF1,
                m.perClass,
                m.confusion,
                m.count,
                (double) top2 / n,
                ece);
    }

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
                actual.length,
                Double.NaN,
                Double.NaN);
    }

    /** Flat values for {@code metrics.json} and tables. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("macro_precision", macroPrecision);
        m.put("macro_recall", macroRecall);
        m.put("macro_f1", macroF1);
        m.put("count", count);
        if (!Double.isNaN(top2)) {
            m.put("top2_accuracy", top2);
            m.put("ece", ece);
        }
        Map<String, Object> classes = new LinkedHashMap<>();
        for (ClassMetrics c : perClass) {
            classes.put(
                    c.name(),
                    Map.of("precision", c.precision(), "recall", c.recall(), "f1", c.f1(), "support", c.support()));
        }
        m.put("per_class", classes);
        m.put("confusion", confusion);
        return m;
    }
}
