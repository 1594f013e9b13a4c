package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.attnfer.data.InputSpec;
import org.junit.jupiter.api.Test;

class BatchMixTest {

    static final InputSpec INPUT = new InputSpec(3, 8);
    static final int IMAGE = 3 * 8 * 8;

    /** Item {@code i}'s pixels are all {@code i + 1}, so every mixed pixel shows where it came from. */
    private static float[] batch(int n) {
        float[] data = new float[n * IMAGE];
        for (int i = 0; i < n; i++) {
            Arrays.fill(data, i * IMAGE, (i + 1) * IMAGE, i + 1);
        }
        return data;
    }

    @Test
    void mixupBlendsEveryItemWithItsPartnerByLambda() {
        float[] data = batch(5);
        BatchMix.Mixed m = new BatchMix(0.4, 0, 1).apply(data, 5, INPUT, new Random(3));
        assertThat(m).isNotNull();
        assertThat(m.partner()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(m.lambda()).isBetween(0.0, 1.0);
        for (int i = 0; i < 5; i++) {
            double expected = m.lambda() * (i + 1) + (1 - m.lambda()) * (m.partner()[i] + 1);
            for (int k = 0; k < IMAGE; k++) {
                assertThat((double) data[i * IMAGE + k]).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void cutmixPastesOneBoxAndLambdaIsTheShareKept() {
        int boxes = 0;
        for (long seed = 0; seed < 20; seed++) {
            float[] data = batch(4);
            BatchMix.Mixed m = new BatchMix(0, 1.0, 1).apply(data, 4, INPUT, new Random(seed));
            // the pixels item i took from its partner, per channel and position
            boolean[] box = new boolean[64];
            int top = 8;
            int bottom = -1;
            int left = 8;
            int right = -1;
            int moved = 0;
            for (int i = 0; i < 4; i++) {
                if (m.partner()[i] == i) {
                    continue;
                }
                moved++;
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 64; p++) {
                        float v = data[i * IMAGE + c * 64 + p];
                        assertThat(v).isIn((float) (i + 1), (float) (m.partner()[i] + 1));
                        boolean taken = v != i + 1;
                        if (moved == 1 && c == 0) {
                            box[p] = taken;
                            if (taken) {
                                top = Math.min(top, p / 8);
                                bottom = Math.max(bottom, p / 8);
                                left = Math.min(left, p % 8);
                                right = Math.max(right, p % 8);
                            }
                        }
                        assertThat(taken)
                                .as("seed %d: the same box in every item and channel", seed)
                                .isEqualTo(box[p]);
                    }
                }
            }
            int area = 0;
            for (int p = 0; p < 64; p++) {
                boolean inside = p / 8 >= top && p / 8 <= bottom && p % 8 >= left && p % 8 <= right;
                assertThat(box[p]).as("seed %d: a rectangle", seed).isEqualTo(inside);
                area += box[p] ? 1 : 0;
            }
            if (moved > 0) {
                assertThat(m.lambda()).as("seed %d", seed).isCloseTo(1 - area / 64.0, within(1e-12));
            }
            boxes += area > 0 ? 1 : 0;
        }
        assertThat(boxes).as("draws that pasted something").isGreaterThan(10);
    }

    @Test
    void theSameGeneratorMixesTheSameWayAndProbabilityZeroNever() {
        BatchMix mix = new BatchMix(0.2, 1.0, 0.5);
        float[] a = batch(6);
        float[] b = batch(6);
        BatchMix.Mixed ma = mix.apply(a, 6, INPUT, new Random(9));
        BatchMix.Mixed mb = mix.apply(b, 6, INPUT, new Random(9));
        assertThat(a).containsExactly(b);
        assertThat(ma == null).isEqualTo(mb == null);
        float[] c = batch(6);
        for (long seed = 0; seed < 50; seed++) {
            assertThat(new BatchMix(0.2, 1.0, 0).apply(c, 6, INPUT, new Random(seed)))
                    .isNull();
        }
        assertThat(c).containsExactly(batch(6));
        assertThat(BatchMix.NONE.active()).isFalse();
        assertThat(new BatchMix(0, 0, 1).active()).isFalse();
    }

    @Test
    void betaDrawsHaveTheirDistributionsMoments() {
        // Beta(α, α): mean ½, variance 1 / (4 (2α + 1)); α < 1 goes through the Gamma(α + 1) boost
        for (double alpha : new double[] {0.2, 1.0, 4.0}) {
            Random r = new Random(1);
            int n = 40_000;
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double x = BatchMix.beta(alpha, r);
                assertThat(x).isBetween(0.0, 1.0);
                sum += x;
                squares += x * x;
            }
            double mean = sum / n;
            double variance = squares / n - mean * mean;
            assertThat(mean).as("mean, alpha %s", alpha).isCloseTo(0.5, within(0.01));
            assertThat(variance).as("variance, alpha %s", alpha).isCloseTo(1 / (4 * (2 * alpha + 1)), within(0.004));
        }
    }
}
