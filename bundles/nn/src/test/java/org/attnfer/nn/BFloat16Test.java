package org.attnfer.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Random;
import org.attnfer.nn.pytorch.GradMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bfloat16 activations in DJL arrays: made and recognised, cast back with gradients, and kept by
 * every parameterised layer of {@code nn} in a training forward.
 */
class BFloat16Test {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void castArraysAreRecognisedAndRoundedToEightBits() {
        // 1 + 2^-10 needs 10 bits of mantissa: bfloat16 (7 stored bits) rounds it to 1
        NDArray x = manager.create(new float[] {1f + 0x1p-10f, 3f, -0.375f});
        assertThat(BFloat16.holds(x)).isFalse();
        NDArray b = BFloat16.cast(x);
        // DJL 0.36 has no name for libtorch's bfloat16; holds() depends on what it reports instead
        assertThat(b.getDataType()).isIn(DataType.BFLOAT16, DataType.UNKNOWN);
        assertThat(BFloat16.holds(b)).isTrue();
        assertThat(BFloat16.cast(b)).isSameAs(b);
        assertThat(BFloat16.toFloat32(b).getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(BFloat16.toFloat32(b).toFloatArray()).containsExactly(1f, 3f, -0.375f);
        assertThat(BFloat16.toFloat32(x)).isSameAs(x);
        assertThat(BFloat16.like(x, x)).isSameAs(x);
    }

    @Test
    void gradientsReachFloat32ParametersThroughTheCasts() {
        NDArray p = manager.create(new float[] {2f, -1f});
        p.setRequiresGradient(true);
        NDArray x = BFloat16.cast(manager.create(new float[] {3f, 5f}));
        NDArray loss = GradMode.with(true, () -> {
            NDArray y = BFloat16.toFloat32(x.mul(BFloat16.like(p, x)));
            NDArray l = y.mul(y).sum();
            GradMode.backward(l, manager.create(1f));
            return l;
        });
        // L = Σ (x·p)², dL/dp = 2·x²·p, exact in bfloat16 for these values
        assertThat(loss.getFloat()).isEqualTo(36f + 25f);
        assertThat(p.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(p.getGradient().toFloatArray()).containsExactly(36f, -50f);
    }

    /** The layer's training forward on {@code x} and on its bfloat16 cast. */
    private NDArray[] both(Block layer, NDArray x) {
        layer.initialize(manager, DataType.FLOAT32, x.getShape());
        ParameterStore store = new ParameterStore(manager, false);
        return GradMode.with(true, () -> new NDArray[] {
            layer.forward(store, new NDList(x), true).singletonOrThrow(),
            layer.forward(store, new NDList(BFloat16.cast(x)), true, Precision.BFLOAT16.params())
                    .singletonOrThrow()
        });
    }

    @Test
    void everyParameterisedLayerKeepsBfloat16ActivationsInTraining() {
        NDArray map = manager.randomNormal(0, 1, new Shape(4, 8, 5, 5), DataType.FLOAT32);
        List<Block> onMaps = List.of(
                Conv2d.builder(8, 6).kernel(3).padding(1).build(),
                Conv2d.builder(8, 8).kernel(3).padding(1).groups(8).bias(false).build(),
                new BatchNorm(8),
                new LayerNorm(8, 1e-6, LayerNorm.Layout.CHANNELS_FIRST));
        for (Block layer : onMaps) {
            check(layer, map);
        }
        check(new Linear(8, 3, true), manager.randomNormal(0, 1, new Shape(4, 8), DataType.FLOAT32));
        check(new Conv1d(1, 1, 3, 1), manager.randomNormal(0, 1, new Shape(4, 1, 8), DataType.FLOAT32));
    }

    private void check(Block layer, NDArray x) {
        NDArray[] y = both(layer, x);
        assertThat(BFloat16.holds(y[1])).as("%s passes bfloat16 on", layer).isTrue();
        NDArray exact = y[0];
        double scale = exact.abs().max().getFloat();
        double error = BFloat16.toFloat32(y[1]).sub(exact).abs().max().getFloat();
        // inputs and weights rounded to 8 bits: a few parts in a thousand of the largest value
        assertThat(error).as("%s", layer).isLessThan(0.03 * scale);
    }

    @Test
    void dropoutMasksTakeTheActivationsType() {
        NDArray x = BFloat16.cast(manager.ones(new Shape(8, 4, 2, 2)));
        NDArray dropped = new Dropout(0.5).apply(x, true, Draws.with(null, new Random(1)));
        NDArray depth = new StochasticDepth(0.5).apply(x, true, Draws.with(null, new Random(1)));
        assertThat(BFloat16.holds(dropped)).isTrue();
        assertThat(BFloat16.holds(depth)).isTrue();
        assertThat(BFloat16.toFloat32(dropped).toFloatArray()).containsOnly(0f, 2f);
    }
}
