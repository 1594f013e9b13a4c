package org.attnfer.nn;

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
import ai.djl.util.PairList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The layers the MobileNetV2 and ConvNeXt families add, with closed-form expectations. */
class BackboneLayersTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private float[] eval(Block block, NDArray x) {
        block.initialize(manager, DataType.FLOAT32, x.getShape());
        return block.forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow()
                .toFloatArray();
    }

    @Test
    void layerNormOverChannelsInBothLayouts() {
        // two channels a, b: mean (a+b)/2, variance ((a−b)/2)², so the outputs are ∓|a−b|/2 / √(var + ε)
        float a = 1;
        float b = 3;
        double eps = 1e-6;
        double expected = 1 / Math.sqrt(1 + eps);
        float[] first = eval(
                new LayerNorm(2, eps, LayerNorm.Layout.CHANNELS_FIRST),
                manager.create(new float[] {a, 10, b, 30}, new Shape(1, 2, 1, 2)));
        // pixel 0 is (1, 3), pixel 1 is (10, 30): both normalise to (−1, +1) up to ε
        assertThat(first[0]).isCloseTo((float) -expected, within(1e-6f));
        assertThat(first[2]).isCloseTo((float) expected, within(1e-6f));
        assertThat(first[1]).isCloseTo(-1f, within(1e-6f));
        assertThat(first[3]).isCloseTo(1f, within(1e-6f));
        float[] last = eval(
                new LayerNorm(2, eps, LayerNorm.Layout.CHANNELS_LAST),
                manager.create(new float[] {a, b}, new Shape(1, 1, 1, 2)));
        assertThat(last[0]).isCloseTo((float) -expected, within(1e-6f));
        assertThat(last[1]).isCloseTo((float) expected, within(1e-6f));
    }

    @Test
    void dropoutKeepsTheMeanAndIsTheIdentityInEvaluation() {
        NDArray ones = manager.ones(new Shape(100, 100));
        Dropout dropout = new Dropout(0.2);
        float[] y = dropout.apply(ones, true, Draws.with(null, new Random(3))).toFloatArray();
        double mean = 0;
        for (float v : y) {
            assertThat(v == 0f || Math.abs(v - 1.25f) < 1e-6).as("0 or 1/(1−p)").isTrue();
            mean += v / y.length;
        }
        assertThat(mean).isCloseTo(1, within(0.03));
        assertThat(dropout.apply(ones, false, null)).isSameAs(ones);
        assertThat(dropout.apply(ones, true, Draws.with(null, new Random(3))).toFloatArray())
                .as("the same generator draws the same mask")
                .containsExactly(y);
        assertThatThrownBy(() -> new Dropout(1)).hasMessageContaining("[0, 1)");
    }

    @Test
    void stochasticDepthDropsWholeSamples() {
        NDArray ones = manager.ones(new Shape(64, 3, 2, 2));
        float[] y = new StochasticDepth(0.5)
                .apply(ones, true, Draws.with(null, new Random(5)))
                .toFloatArray();
        int dropped = 0;
        for (int n = 0; n < 64; n++) {
            float first = y[n * 12];
            for (int i = 1; i < 12; i++) {
                assertThat(y[n * 12 + i])
                        .as("sample %d is dropped or kept whole", n)
                        .isEqualTo(first);
            }
            assertThat(first == 0f || first == 2f).isTrue();
            dropped += first == 0f ? 1 : 0;
        }
        assertThat(dropped).isBetween(16, 48);
        assertThat(new StochasticDepth(0.5).apply(ones, false, null)).isSameAs(ones);
    }

    @Test
    void drawsReplacesAnEarlierGeneratorAndKeepsOtherParams() {
        PairList<String, Object> params = Draws.with(Precision.BFLOAT16.params(), new Random(1));
        Random second = new Random(2);
        PairList<String, Object> again = Draws.with(params, second);
        assertThat(again.size()).isEqualTo(2);
        assertThat(again.get(Draws.KEY)).isSameAs(second);
        assertThat(Precision.of(again)).isEqualTo(Precision.BFLOAT16);
    }

    @Test
    void chainNamesItsBlocksUniquelyAndAppliesThemInOrder() {
        Sequential owner = new Sequential();
        owner.add(new Linear(1, 1, false));
        Linear twice = new Linear(1, 1, false);
        Linear thrice = new Linear(1, 1, false);
        Chain chain = owner.chain(List.of(twice, thrice), b -> "0", b -> b);
        assertThat(owner.namedChildren()).containsOnlyKeys("0", "0_1", "0_2");
        assertThat(owner.namedChildren().get("0_2")).isSameAs(thrice);
        NDArray x = manager.create(new float[] {1}, new Shape(1, 1));
        for (Block b : List.of(twice, thrice)) {
            b.initialize(manager, DataType.FLOAT32, x.getShape());
        }
        twice.getParameters().get("weight").getArray().set(new float[] {2});
        thrice.getParameters().get("weight").getArray().set(new float[] {3});
        assertThat(chain.apply(new ParameterStore(manager, false), x, false, null)
                        .toFloatArray())
                .containsExactly(6f);
        assertThat(Chain.NONE.isEmpty()).isTrue();
    }
}
