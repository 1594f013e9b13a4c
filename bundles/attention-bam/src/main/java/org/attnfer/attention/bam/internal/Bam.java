package org.attnfer.attention.bam.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * BAM (Park, Woo, Lee, Kweon, <i>BAM: Bottleneck Attention Module</i>, BMVC 2018) in the layout
 * of its official code: a channel gate (MLP with BatchNorm on the hidden layer) and a spatial gate
 * (1×1 reduction, two dilated 3×3 convolutions with BatchNorm, 1×1 to one map), combined by
 * product (the code) or sum (the paper): {@code x · (1 + σ(A))}.
 */
final class Bam extends Module implements AttentionMaps {

    private final ChannelGate channelGate;
    private final SpatialGate spatialGate;
    private final boolean sum;

    Bam(int channels, int reduction, int dilation, boolean sum) {
        int mid = Math.max(1, channels / reduction);
        channelGate = child("channel_gate", new ChannelGate(channels, mid));
        spatialGate = child("spatial_gate", new SpatialGate(channels, mid, dilation));
        this.sum = sum;
    }

    private NDArray attention(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        Shape s = x.getShape();
        NDArray mc = run(channelGate, ps, x, training, params).reshape(s.get(0), s.get(1), 1, 1);
        NDArray ms = run(spatialGate, ps, x, training, params);
        return sum ? mc.add(ms) : mc.mul(ms);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        return new NDList(x.mul(Ops.sigmoid(attention(ps, x, training, params)).add(1f)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        NDArray a = Ops.sigmoid(attention(store, input, false, null));
        return Map.of("attention", a, "spatial", a.mean(new int[] {1}, true));
    }

    /** {@code Mc = fc2(ReLU(bn(fc1(GAP(x)))))}, {@code [N,C]}. */
    static final class ChannelGate extends Module {
        private final Linear fc1;
        private final BatchNorm bn;
        private final Linear fc2;

        ChannelGate(int channels, int mid) {
            fc1 = child("fc1", new Linear(channels, mid, true));
            bn = child("bn", new BatchNorm(mid));
            fc2 = child("fc2", new Linear(mid, channels, true));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.singletonOrThrow();
            NDArray a = Ops.gap(x).reshape(x.getShape().get(0), x.getShape().get(1));
            NDArray h = Ops.relu(run(bn, ps, run(fc1, ps, a, training, params), training, params));
            return new NDList(run(fc2, ps, h, training, params));
        }
    }

    /** {@code Ms}, {@code [N,1,H,W]}. */
    static final class SpatialGate extends Module {
        private final Conv2d reduceConv;
        private final BatchNorm reduceBn;
        private final Conv2d[] dilatedConv = new Conv2d[2];
        private final BatchNorm[] dilatedBn = new BatchNorm[2];
        private final Conv2d finalConv;

        SpatialGate(int channels, int mid, int dilation) {
            reduceConv = child("reduce_conv", Conv2d.builder(channels, mid).build());
            reduceBn = child("reduce_bn", new BatchNorm(mid));
            for (int i = 0; i < 2; i++) {
                dilatedConv[i] = child(
                        "dilated_conv" + i,
                        Conv2d.builder(mid, mid)
                                .kernel(3)
                                .padding(dilation)
                                .dilation(dilation)
                                .build());
                dilatedBn[i] = child("dilated_bn" + i, new BatchNorm(mid));
            }
            finalConv = child("final_conv", Conv2d.builder(mid, 1).build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray s = Ops.relu(
                    run(reduceBn, ps, run(reduceConv, ps, in.singletonOrThrow(), training, params), training, params));
            for (int i = 0; i < 2; i++) {
                s = Ops.relu(run(dilatedBn[i], ps, run(dilatedConv[i], ps, s, training, params), training, params));
            }
            return new NDList(run(finalConv, ps, s, training, params));
        }
    }
}
