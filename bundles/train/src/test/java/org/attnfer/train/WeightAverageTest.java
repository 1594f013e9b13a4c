package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.attnfer.nn.io.Tensor;
import org.junit.jupiter.api.Test;

/** The weights' moving average by hand, and its exchange with the model's weights. */
class WeightAverageTest {

    private static Parameter parameter(NDManager m, float... values) {
        Parameter p = Parameter.builder()
                .setName("w")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(values.length))
                .optInitializer((mgr, s, t) -> mgr.create(values, s))
                .build();
        p.initialize(m, DataType.FLOAT32);
        return p;
    }

    @Test
    void theAverageFollowsItsFormulaAndSwapsInAndOut() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = parameter(m, 1, 2);
            NDArray w = p.getArray();
            WeightAverage average = new WeightAverage(0.2, Map.of("w", p));
            float[][] values = {{1, 2}, {3, -2}, {0, 4}};
            double[] expected = {values[0][0], values[0][1]};
            for (int t = 1; t <= values.length; t++) {
                w.set(new NDIndex("..."), m.create(values[t - 1]));
                average.update();
                // the first update copies; then avg += (1 − d)(w − avg), d = min(0.2, (1 + t)/(10 + t))
                double d = Math.min(0.2, (1.0 + t) / (10.0 + t));
                for (int i = 0; i < 2 && t > 1; i++) {
                    expected[i] += (1 - d) * (values[t - 1][i] - expected[i]);
                }
            }
            assertThat(average.steps()).isEqualTo(3);
            average.swap();
            assertThat((double) w.getFloat(0)).isCloseTo(expected[0], within(1e-6));
            assertThat((double) w.getFloat(1)).isCloseTo(expected[1], within(1e-6));
            average.swap();
            assertThat(w.toFloatArray()).containsExactly(values[2]);
            Map<String, Tensor> saved = average.export();

            WeightAverage restored = new WeightAverage(0.2, Map.of("w", p));
            restored.restore(saved, 3, m);
            assertThat(restored.steps()).isEqualTo(3);
            restored.swap();
            assertThat((double) w.getFloat(1)).isCloseTo(expected[1], within(1e-6));
        }
    }

    @Test
    void withoutUpdatesThereIsNothingToSwap() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = parameter(m, 5);
            WeightAverage average = new WeightAverage(0.999, Map.of("w", p));
            average.swap();
            assertThat(p.getArray().toFloatArray()).containsExactly(5f);
            average.restore(Map.of(), 7, m);
            assertThat(average.steps()).isZero();
        }
    }
}
