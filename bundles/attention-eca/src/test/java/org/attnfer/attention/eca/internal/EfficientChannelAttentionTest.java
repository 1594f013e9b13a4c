package org.attnfer.attention.eca.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.attnfer.backbone.resnet.Bottleneck;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EfficientChannelAttentionTest {

    private static final EfficientChannelAttentionModule MODULE = new EfficientChannelAttentionModule();

    private static Block eca(int channels, Map<String, ?> raw) {
        return Modules.attention(MODULE, channels, raw);
    }

    @ParameterizedTest
    @CsvSource({"64, 3", "128, 5", "256, 5", "512, 5", "1024, 5", "2048, 7"})
    void adaptiveKernelOfTheSpecification(int channels, int k) {
        assertThat(StateDict.trainableCount(eca(channels, Map.of()))).isEqualTo(k);
    }

    @Test
    void kernelOverrideAndOddness() {
        assertThat(StateDict.trainableCount(eca(64, Map.of("k_size", 5)))).isEqualTo(5);
        assertThatThrownBy(() -> eca(64, Map.of("k_size", 4))).hasMessageContaining("k_size must be odd");
    }

    @Test
    void convolvesAcrossNeighbouringChannelsWithZeroPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block eca = eca(4, Map.of("k_size", 3));
            eca.initialize(m, DataType.FLOAT32, new Shape(1, 4, 2, 2));
            StateDict.load(eca, Map.of("conv.weight", new Tensor(new long[] {1, 1, 3}, new float[] {1, 0, 0})), true);
            // weight (1, 0, 0) takes the previous channel: channel 0 sees the zero padding
            NDArray x = m.create(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4}, new Shape(1, 4, 2, 2));
            NDArray y = eca.forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            assertThat((double) y.getFloat(0, 0, 0, 0)).isCloseTo(1 * 0.5, within(1e-6));
            assertThat((double) y.getFloat(0, 2, 1, 1)).isCloseTo(3 / (1 + Math.exp(-2)), within(1e-6));
        }
    }

    @Test
    void matchesGoldens() {
        Parity.check("eca", () -> eca(64, Map.of()));
        Parity.check("eca_c256", () -> eca(256, Map.of()));
        Parity.check(
                "bottleneck_eca",
                () -> new Bottleneck(
                        64, 32, 2, 1, 0, new AtHook().put(Hooks.AFTER_BN3, "eca", s -> eca(s.channels(), Map.of()))));
    }

    @Test
    void shapesAndConformance() throws Exception {
        for (Shape s : new Shape[] {new Shape(2, 32, 13, 13), new Shape(3, 32, 9, 5), new Shape(1, 32, 1, 1)}) {
            assertThat(ModuleChecks.outputShape(eca(32, Map.of()), s)).isEqualTo(s);
        }
        Modules.conformance(() -> eca(32, Map.of()), new Shape(2, 32, 7, 5), false);
    }
}
