package org.attnfer.attention.coord.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * Coordinate attention (Hou, Zhou, Feng, <i>Coordinate Attention for Efficient Mobile Network
 * Design</i>, CVPR 2021): pooling along each direction, a shared 1×1 convolution with BatchNorm
 * and hard swish over the concatenated strips, then one gate per direction: {@code x · g_w · g_h}.
 */
final class CoordinateAttention extends Module implements AttentionMaps {

    private static final int[] W = {3};
    private static final int[] H = {2};

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d convH;
    private final Conv2d convW;

    CoordinateAttention(int channels, int reduction, int minMid) {
        int mid = Math.max(minMid, channels / reduction);
        conv1 = child("conv1", Conv2d.builder(channels, mid).build());
        bn1 = child("bn1", new BatchNorm(mid));
        convH = child("conv_h", Conv2d.builder(mid, channels).build());
        convW = child("conv_w", Conv2d.builder(mid, channels).build());
    }

    /** The two gates: {@code [N,C,H,1]} and {@code [N,C,1,W]}. */
    private NDList gates(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        long h = x.getShape().get(2);
        NDArray zh = x.mean(W, true);
        // the width strip goes along the same axis as the height strip: [N,C,W,1]
        NDArray zw = x.mean(H, true).transpose(0, 1, 3, 2);
        NDArray f = NDArrays.concat(new NDList(zh, zw), 2);
        f = Ops.hardSwish(run(bn1, ps, run(conv1, ps, f, training, params), training, params));
        NDArray fh = f.get(":, :, 0:{}, :", h);
        NDArray fw = f.get(":, :, {}:, :", h).transpose(0, 1, 3, 2);
        return new NDList(
                Ops.sigmoid(run(convH, ps, fh, training, params)), Ops.sigmoid(run(convW, ps, fw, training, params)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        NDList g = gates(ps, x, training, params);
        return new NDList(x.mul(g.get(1)).mul(g.get(0)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        NDList g = gates(store, input, false, null);
        return Map.of(
                "height",
                g.get(0),
                "width",
                g.get(1),
                "spatial",
                g.get(0).mul(g.get(1)).mean(new int[] {1}, true));
    }
}
