package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * Stochastic depth in torchvision's "row" mode (Huang et al., <i>Deep Networks with Stochastic
 * Depth</i>, ECCV 2016): in training, a residual branch is dropped for a whole sample with
 * probability {@code p} and kept branches are scaled by {@code 1/(1−p)}; in evaluation the identity.
 */
public final class StochasticDepth {

    private final float p;

    /** Drops with probability {@code p} in [0, 1). */
    public StochasticDepth(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("stochastic depth probability must be in [0, 1), got " + p);
        }
        this.p = (float) p;
    }

    /** The probability of dropping a sample's branch. */
    public double probability() {
        return p;
    }

    /** The branch {@code x} ({@code [N,...]}) with whole samples dropped in training. */
    public NDArray apply(NDArray x, boolean training, PairList<String, Object> params) {
        if (!training || p == 0 || Taps.shapesOnly(params)) {
            return x;
        }
        Shape shape = x.getShape();
        long[] row = new long[shape.dimension()];
        Arrays.fill(row, 1);
        row[0] = shape.get(0);
        float[] mask = Draws.mask(params, Math.toIntExact(shape.get(0)), 1 - p);
        return x.mul(BFloat16.like(x.getManager().create(mask, new Shape(row)), x));
    }
}
