package org.attnfer.report;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.distribution.TDistribution;

/** The statistics of comparison tables. */
public final class Statistics {

    /** Bootstrap resamples. */
    public static final int RESAMPLES = 2000;

    private Statistics() {}

    /** The mean. */
    public static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n − 1); NaN for fewer than two values. */
    public static double sd(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    /** The two-sided t interval of the mean at a level ({@code 0.95}); needs two values. */
    public static double[] tInterval(double[] x, double level) {
        if (x.length < 2) {
            throw new IllegalArgumentException("a t interval needs two or more values, got " + x.length);
        }
        double t = new TDistribution(x.length - 1).inverseCumulativeProbability(0.5 + level / 2);
        double half = t * sd(x) / Math.sqrt(x.length);
        return new double[] {mean(x) - half, mean(x) + half};
    }

    /**
     * The percentile bootstrap interval of a mean over items (for the accuracy of one run: 1 for a
     * correct item, 0 otherwise).
     */
    public static double[] bootstrapInterval(double[] items, double level, long seed) {
        Random r = new Random(seed);
        double[] means = new double[RESAMPLES];
        int n = items.length;
        for (int b = 0; b < RESAMPLES; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += items[r.nextInt(n)];
            }
            means[b] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - level) / 2;
        return new double[] {
            means[(int) Math.floor(alpha * (RESAMPLES - 1))], means[(int) Math.ceil((1 - alpha) * (RESAMPLES - 1))]
        };
    }

    /**
     * McNemar's exact test of two classifiers on the same items: the two-sided binomial p-value of
     * the discordant pairs.
     */
    public static double mcnemar(boolean[] a, boolean[] b) {
        int[] d = discordant(a, b);
        return mcnemar(d[0], d[1]);
    }

    /** McNemar's exact p-value from the discordant counts: items only A gets right, items only B does. */
    public static double mcnemar(int onlyA, int onlyB) {
        int n = onlyA + onlyB;
        if (n == 0) {
            return 1.0;
        }
        // the lower tail Σ_{k≤m} C(n,k)/2^n term by term in logarithms: a library's 1 − (upper tail)
        // loses everything below 1e-16, and a clear difference then reads as p = 0
        int m = Math.min(onlyA, onlyB);
        double logTerm = n * Math.log(0.5);
        double tail = 0;
        for (int k = 0; k <= m; k++) {
            tail += Math.exp(logTerm);
            logTerm += Math.log(n - k) - Math.log(k + 1.0);
        }
        return Math.min(1.0, 2 * tail);
    }

    /** How many items only {@code a} is right on, and how many only {@code b}. */
    public static int[] discordant(boolean[] a, boolean[] b) {
        int onlyA = 0;
        int onlyB = 0;
        for (int i = 0; i < a.length; i++) {
            onlyA += a[i] && !b[i] ? 1 : 0;
            onlyB += !a[i] && b[i] ? 1 : 0;
        }
        return new int[] {onlyA, onlyB};
    }

    /**
     * The paired bootstrap over items: resamples the items and counts how often the difference of
     * means {@code a − b} falls on the other side of zero; two-sided, at least {@code 1/RESAMPLES}.
     */
    public static double pairedBootstrap(double[] a, double[] b, long seed) {
        int n = a.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
        }
        if (Arrays.stream(d).allMatch(v -> v == 0)) {
            return 1.0;
        }
        Random r = new Random(seed);
        int below = 0;
        int above = 0;
        for (int k = 0; k < RESAMPLES; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += d[r.nextInt(n)];
            }
            below += s <= 0 ? 1 : 0;
            above += s >= 0 ? 1 : 0;
        }
        return Math.max(1.0 / RESAMPLES, Math.min(1.0, 2.0 * Math.min(below, above) / RESAMPLES));
    }
}
