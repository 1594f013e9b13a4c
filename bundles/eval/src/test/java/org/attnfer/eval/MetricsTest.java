package org.attnfer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void valuesComputedByHand() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        int[] actual = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 1, 1, 2, 2};
        Metrics m = Metrics.of(actual, predicted, List.of("a", "b", "c"));
        assertThat(m.accuracy()).isCloseTo(4 / 6.0, within(1e-12));
        // per class: a P=2/2 R=2/3; b P=1/2 R=1/2; c P=1/2 R=1/1
        assertThat(m.perClass().get(0).precision()).isCloseTo(1.0, within(1e-12));
        assertThat(m.perClass().get(0).recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.perClass().get(2).f1()).isCloseTo(2 * 0.5 * 1 / 1.5, within(1e-12));
        assertThat(m.macroPrecision()).isCloseTo((1 + 0.5 + 0.5) / 3, within(1e-12));
        assertThat(m.macroRecall()).isCloseTo((2 / 3.0 + 0.5 + 1) / 3, within(1e-12));
        double f1a = 2 * 1 * (2 / 3.0) / (1 + 2 / 3.0);
        assertThat(m.macroF1()).isCloseTo((f1a + 0.5 + 2 / 3.0) / 3, within(1e-12));
        // rows are actual classes: not transposed
        assertThat(m.confusion()).isDeepEqualTo(new int[][] {{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
        assertThat(m.perClass()).extracting(ClassMetrics::support).containsExactly(3, 2, 1);
    }

    @Test
    void aClassNeverPredictedHasPrecisionZero() {
        Metrics m = Metrics.of(new int[] {0, 1, 2}, new int[] {0, 0, 0}, List.of("a", "b", "c"));
        assertThat(m.perClass().get(1).precision()).isZero();
        assertThat(m.perClass().get(1).f1()).isZero();
        assertThat(m.macroF1()).isCloseTo((2 * (1 / 3.0) * 1 / (1 / 3.0 + 1)) / 3, within(1e-12));
    }

    @Test
    void aClassAbsentFromTruthAndPredictionIsLeftOut() {
        Metrics m = Metrics.of(new int[] {0, 1}, new int[] {0, 1}, List.of("a", "b", "c"));
        assertThat(m.macroF1()).isEqualTo(1.0);
        assertThat(m.macroPrecision()).isEqualTo(1.0);
    }

    @Test
    void topTwoAndCalibrationErrorByHand() {
        float[][] p = {
            {0.9f, 0.05f, 0.05f}, // right, confidence 0.9 (bin 13)
            {0.6f, 0.3f, 0.1f}, // wrong (true 1): second best, confidence 0.6 (bin 9)
            {0.5f, 0.1f, 0.4f}, // wrong (true 1): third, confidence 0.5 (bin 7)
            {0.2f, 0.1f, 0.7f}
        }; // right, confidence 0.7 (bin 10)
        Metrics m = Metrics.of(new int[] {0, 1, 1, 2}, p, List.of("a", "b", "c"));
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.top2()).isEqualTo(0.75);
        // each item has a bin of its own: ECE = mean |correct - confidence|
        assertThat(m.ece()).isCloseTo((0.1 + 0.6 + 0.5 + 0.3) / 4, within(1e-6));
        assertThat(m.toMap()).containsKeys("top2_accuracy", "ece");
        assertThat(Metrics.of(new int[] {0}, new int[] {0}, List.of("a")).toMap())
                .doesNotContainKey("ece");
    }

    @Test
    void emptyOrMismatchedInputIsAnError() {
        assertThatThrownBy(() -> Metrics.of(new int[0], new int[0], List.of("a")))
                .hasMessageContaining("no predictions");
        assertThatThrownBy(() -> Metrics.of(new int[1], new int[2], List.of("a")))
                .hasMessageContaining("1 labels but 2");
    }
}
