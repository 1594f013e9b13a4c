package org.example.triplet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.attnfer.api.Site;
import org.junit.jupiter.api.Test;

class TripletAttentionTest {

    private static Block triplet(Map<String, ?> params) {
        TripletAttentionModule m = new TripletAttentionModule();
        return m.create(32, m.info().validate(params), Site.insert("bottleneck.after_bn3", 1, 0, 32, "layer1.0"));
    }

    @Test
    void keepsTheShapeOfOddAndNonSquareMaps() {
        for (Shape s : new Shape[] {new Shape(2, 32, 9, 5), new Shape(1, 32, 13, 13), new Shape(2, 32, 1, 1)}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Block b = triplet(Map.of());
                b.initialize(m, DataType.FLOAT32, s);
                NDArray y = b.forward(new ParameterStore(m, false), new NDList(m.randomNormal(s)), false)
                        .singletonOrThrow();
                assertEquals(s, y.getShape());
            }
        }
    }

    @Test
    void threeGatesOfAConvolutionAndABatchNormEach() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = triplet(Map.of());
            b.initialize(m, DataType.FLOAT32, new Shape(2, 32, 8, 8));
            long trainable = b.getParameters().values().stream()
                    .filter(Parameter::requiresGradient)
                    .mapToLong(p -> p.getShape().size())
                    .sum();
            // 3 × (7·7·2 convolution weights + BatchNorm weight and bias)
            assertEquals(3 * (7 * 7 * 2 + 2), trainable);
        }
    }

    @Test
    void gradientsReachEveryParameter() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = triplet(Map.of("kernel", 3));
            b.initialize(m, DataType.FLOAT32, new Shape(4, 32, 6, 5));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = b.forward(
                                new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(4, 32, 6, 5))), true)
                        .singletonOrThrow();
                gc.backward(y.mul(m.randomNormal(y.getShape())).sum());
            }
            for (Parameter p : b.getParameters().values()) {
                if (p.requiresGradient()) {
                    assertTrue(p.getArray().getGradient().abs().max().getFloat() > 0, p.getName());
                }
            }
        }
    }

    @Test
    void anEvenKernelIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> triplet(Map.of("kernel", 4)));
    }
}
