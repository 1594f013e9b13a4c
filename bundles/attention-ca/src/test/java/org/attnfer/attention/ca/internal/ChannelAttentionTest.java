package org.attnfer.attention.ca.internal;

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
import java.util.HashMap;
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

class ChannelAttentionTest {

    private static final ChannelAttentionModule MODULE = new ChannelAttentionModule();

    private static Block ca(int channels, Map<String, ?> raw) {
        return Modules.attention(MODULE, channels, raw);
    }

    @Test
    void secondBiasEntersTwiceUnderZeroWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block ca = ca(4, Map.of("reduction", 2));
            ca.initialize(m, DataType.FLOAT32, new Shape(1, 4, 3, 3));
            Map<String, Tensor> w = new HashMap<>(StateDict.export(ca));
            w.replaceAll((k, t) -> new Tensor(t.shape(), new float[t.data().length]));
            w.put("fc2.bias", new Tensor(new long[] {4}, new float[] {0, 1, -1, 0.25f}));
            StateDict.load(ca, w, true);
            NDArray x = m.full(new Shape(1, 4, 3, 3), 2f);
            NDArray y = ca.forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            float[] b2 = {0, 1, -1, 0.25f};
            for (int c = 0; c < 4; c++) {
                assertThat((double) y.getFloat(0, c, 1, 2)).isCloseTo(2 / (1 + Math.exp(-2 * b2[c])), within(1e-6));
            }
        }
    }

    @Test
    void parameterCountsFollowTheFormula() {
        assertThat(StateDict.trainableCount(ca(64, Map.of()))).isEqualTo(580);
        assertThat(StateDict.trainableCount(ca(64, Map.of("bias", false)))).isEqualTo(512);
        assertThat(StateDict.trainableCount(ca(2048, Map.of()))).isEqualTo(526_464);
        assertThat(StateDict.parameters(ca(64, Map.of())).keySet())
                .containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    @Test
    void matchesGoldens() {
        Parity.check("ca", () -> ca(64, Map.of()));
        Parity.check("ca_nobias", () -> ca(64, Map.of("bias", false)));
    }

    @Test
    void matchesGoldenAfterBn3InABottleneck() {
        AtHook hooks = new AtHook().put(Hooks.AFTER_BN3, "ca", s -> ca(s.channels(), Map.of()));
        Parity.check("bottleneck_ca", () -> new Bottleneck(64, 32, 2, 1, 0, hooks));
    }

    @Test
    void keepsOddAndNonSquareShapes() {
        for (Shape s : new Shape[] {new Shape(2, 32, 13, 13), new Shape(3, 32, 9, 5), new Shape(1, 32, 1, 1)}) {
            assertThat(ModuleChecks.outputShape(ca(32, Map.of()), s)).isEqualTo(s);
        }
    }

    @Test
    void conformance() throws Exception {
        Modules.conformance(() -> ca(32, Map.of()), new Shape(2, 32, 7, 5), false);
    }

    @Test
    void badReductionIsRejected() {
        assertThatThrownBy(() -> ca(64, Map.of("reduction", 0))).hasMessage("reduction must be ≥ 1, got 0");
    }

    @Test
    void exposesItsChannelWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelAttention block = (ChannelAttention) ca(32, Map.of());
            block.initialize(m, DataType.FLOAT32, new Shape(2, 32, 5, 5));
            NDArray w = block.attentionMaps(new ParameterStore(m, false), m.randomNormal(new Shape(2, 32, 5, 5)))
                    .get("channel");
            assertThat(w.getShape()).isEqualTo(new Shape(2, 32));
        }
    }
}
