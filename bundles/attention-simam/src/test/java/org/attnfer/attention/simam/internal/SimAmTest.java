package org.attnfer.attention.simam.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.attnfer.api.Insertions;
import org.attnfer.api.Params;
import org.attnfer.backbone.resnet.Bottleneck;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class SimAmTest {

    private static final SimAmModule MODULE = new SimAmModule();

    private static Block simam(Map<String, ?> raw) {
        return Modules.attention(MODULE, 64, raw);
    }

    private static Block simam() {
        return simam(Map.of());
    }

    @Test
    void closedFormOnKnownValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one channel with values 1 and 3: μ = 2, d = 1 for both, variance = 2 / (2 − 1) = 2
            NDArray x = m.create(new float[] {1, 3}, new Shape(1, 1, 1, 2));
            NDArray y = simam().forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            double e = 1 / (4 * (2 + 1e-4)) + 0.5;
            double sigma = 1 / (1 + Math.exp(-e));
            assertThat((double) y.getFloat(0, 0, 0, 0)).isCloseTo(sigma, within(1e-6));
            assertThat((double) y.getFloat(0, 0, 0, 1)).isCloseTo(3 * sigma, within(1e-6));
            // a constant map has d = 0 everywhere, hence weight σ(0.5); a 1×1 map too
            NDArray c = m.full(new Shape(1, 2, 3, 3), 2f);
            NDArray yc = simam().forward(new ParameterStore(m, false), new NDList(c), false)
                    .singletonOrThrow();
            assertThat((double) yc.getFloat(0, 1, 2, 2)).isCloseTo(2 / (1 + Math.exp(-0.5)), within(1e-6));
        }
    }

    @Test
    void matchesGoldenInEveryCaseIncludingOneByOne() {
        Parity.check("simam", () -> simam());
    }

    @Test
    void matchesGoldenAfterBn3InABottleneck() {
        AtHook hooks = new AtHook().put(Hooks.AFTER_BN3, "simam", s -> simam());
        Parity.check("bottleneck_simam", () -> new Bottleneck(64, 32, 2, 1, 0, hooks));
    }

    @Test
    void matchesGoldenAtTheOfficialPlaceAfterConv2() {
        AtHook hooks = new AtHook().put(Hooks.AFTER_CONV2, "simam", s -> simam());
        Parity.check("bottleneck_simam_conv2", () -> new Bottleneck(64, 32, 2, 1, 0, hooks));
    }

    @Test
    void keepsOddAndNonSquareShapes() {
        for (Shape s : new Shape[] {new Shape(2, 64, 13, 13), new Shape(3, 64, 9, 5), new Shape(1, 64, 1, 1)}) {
            assertThat(ModuleChecks.outputShape(simam(), s)).isEqualTo(s);
        }
    }

    @Test
    void conformance() throws Exception {
        Modules.conformance(SimAmTest::simam, new Shape(2, 64, 7, 5), false);
        assertThat(StateDict.trainableCount(simam())).isZero();
    }

    @Test
    void lambdaMustBePositive() {
        assertThatThrownBy(() -> simam(Map.of("lambda", -1))).hasMessage("lambda must be > 0, got -1");
        assertThat(MODULE.info().validate(Map.of("lambda", 0.1)))
                .isEqualTo(Params.validate(MODULE.info().params(), Map.of("lambda", "0.1")));
    }

    @Test
    void exposesItsSpatialWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            SimAm block = (SimAm) simam();
            NDArray map = block.attentionMaps(new ParameterStore(m, false), m.randomNormal(new Shape(2, 64, 6, 4)))
                    .get("spatial");
            assertThat(map.getShape()).isEqualTo(new Shape(2, 1, 6, 4));
            assertThat(map.min().getFloat()).isGreaterThanOrEqualTo(0.5f);
        }
    }

    @Test
    void plainBackboneUnaffectedWithoutInsertions() {
        assertThat(StateDict.trainableCount(new Bottleneck(64, 32, 2, 1, 0, Insertions.none())))
                .isEqualTo(StateDict.trainableCount(
                        new Bottleneck(64, 32, 2, 1, 0, new AtHook().put(Hooks.AFTER_BN3, "simam", s -> simam()))));
    }
}
