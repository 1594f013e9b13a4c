package org.attnfer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A comparison table: per variant the metrics as mean ± standard deviation over seeds with a 95 %
 * interval of the accuracy, its size and cost, the difference to the baseline and a paired test
 * on the same evaluation items.
 *
 * <p>Intervals: over seeds (t distribution) when a variant has two or more, else a percentile
 * bootstrap over the evaluation items. Paired test: McNemar's exact test when both variants have
 * one seed, else a paired bootstrap over items of the per-item accuracy averaged over seeds.
 *
 * @param spec which variants, which baseline
 * @param rows one row per variant, in {@code spec} order
 */
public record ComparisonTable(TableSpec spec, List<Row> rows) {

    /** The metric columns, in order: key in {@code metrics.json}, heading. */
    public static final List<String[]> METRICS = List.of(
            new String[] {"accuracy", "Accuracy"},
            new String[] {"macro_precision", "Macro P"},
            new String[] {"macro_recall", "Macro R"},
            new String[] {"macro_f1", "Macro F1"});

    /** The focus columns, shown when measured: key, heading. */
    public static final List<String[]> FOCUS = List.of(
            new String[] {"focus_face", "Focus face"},
            new String[] {"focus_regions", "Focus regions"},
            new String[] {"focus_pointing", "Pointing"});

    /**
     * One variant.
     *
     * @param variant its name
     * @param seeds how many runs
     * @param mean per column of {@link #METRICS} then {@link #FOCUS}: the mean over seeds (NaN if absent)
     * @param sd the standard deviation over seeds (NaN for one seed)
     * @param ciLow lower end of the accuracy's 95 % interval
     * @param ciHigh upper end
     * @param ciMethod {@code t} or {@code bootstrap}
     * @param params trainable parameters
     * @param macs multiply-accumulates per image
     * @param delta accuracy difference to the baseline (0 for the baseline)
     * @param p the paired test's p-value against the baseline (NaN for the baseline or without items)
     * @param test {@code McNemar} or {@code paired bootstrap}
     */
    public record Row(
            String variant,
            int seeds,
            double[] mean,
            double[] sd,
            double ciLow,
            double ciHigh,
            String ciMethod,
            long params,
            long macs,
            double delta,
            double p,
            String test) {}

    /** Builds the table of a spec from an experiment's runs. */
    public static ComparisonTable of(TableSpec spec, ExperimentData data) {
        List<RunData> base = data.runsOf(spec.baseline());
        List<Row> rows = new ArrayList<>();
        List<String[]> columns = new ArrayList<>(METRICS);
        columns.addAll(FOCUS);
        for (String variant : spec.variants()) {
            List<RunData> runs = data.runsOf(variant);
            double[] mean = new double[columns.size()];
            double[] sd = new double[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                String key = columns.get(c)[0];
                double[] values = runs.stream()
                        .mapToDouble(r -> r.metrics().getOrDefault(key, Double.NaN))
                        .toArray();
                mean[c] = Statistics.mean(values);
                sd[c] = Statistics.sd(values);
            }
            double[] acc =
                    runs.stream().mapToDouble(r -> r.metrics().get("accuracy")).toArray();
            double[] ci;
            String method;
            if (runs.size() >= 2) {
                ci = Statistics.tInterval(acc, 0.95);
                method = "t";
            } else if (runs.get(0).items().isEmpty()) {
                ci = new double[] {Double.NaN, Double.NaN};
                method = "none";
            } else {
                ci = Statistics.bootstrapInterval(runs.get(0).correct(), 0.95, 1);
                method = "bootstrap";
            }
            double delta = mean[0]
                    - Statistics.mean(base.stream()
                            .mapToDouble(r -> r.metrics().get("accuracy"))
                            .toArray());
            double p = Double.NaN;
            String test = "";
            if (!variant.equals(spec.baseline()) && sameItems(runs, base)) {
                if (runs.size() == 1 && base.size() == 1) {
                    p = Statistics.mcnemar(
                            bools(runs.get(0).correct()), bools(base.get(0).correct()));
                    test = "McNemar";
                } else {
                    p = Statistics.pairedBootstrap(perItem(runs), perItem(base), 1);
                    test = "paired bootstrap";
                }
            }
            rows.add(new Row(
                    variant,
                    runs.size(),
                    mean,
                    sd,
                    ci[0],
                    ci[1],
                    method,
                    runs.get(0).params(),
                    runs.get(0).macs(),
                    delta,
                    p,
                    test));
        }
        return new ComparisonTable(spec, rows);
    }

    /** Whether focus scores were measured for any row. */
    public boolean hasFocus() {
        return rows.stream().anyMatch(r -> !Double.isNaN(r.mean()[METRICS.size()]));
    }

    /** The index of the best row in a mean column (highest), or −1. */
    public int best(int column) {
        int best = -1;
        for (int i = 0; i < rows.size(); i++) {
            double v = rows.get(i).mean()[column];
            if (!Double.isNaN(v) && (best < 0 || v > rows.get(best).mean()[column])) {
                best = i;
            }
        }
        return best;
    }

    /** A percentage with two decimals ({@code 71.25}). */
    static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static boolean sameItems(List<RunData> a, List<RunData> b) {
        List<String> items = a.get(0).items();
        return !items.isEmpty()
                && a.stream().allMatch(r -> r.items().equals(items))
                && b.stream().allMatch(r -> r.items().equals(items));
    }

    private static double[] perItem(List<RunData> runs) {
        double[] sum = new double[runs.get(0).actual().length];
        for (RunData r : runs) {
            double[] c = r.correct();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += c[i] / runs.size();
            }
        }
        return sum;
    }

    private static boolean[] bools(double[] x) {
        boolean[] b = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = x[i] > 0;
        }
        return b;
    }
}
