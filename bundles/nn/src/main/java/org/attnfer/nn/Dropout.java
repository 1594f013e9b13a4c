package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code nn.Dropout(p)} (Srivastava et al., JMLR 2014): in training each value is zeroed
 * with probability {@code p} and the rest scaled by {@code 1/(1−p)}; in evaluation the identity.
 * Masks come from the step's {@link Draws}. Not a block: it has no parameters, and a network keeps
 * PyTorch's index for it by leaving that name unused.
 */
public final class Dropout {

    private final float p;

    /** Zeroes with probability {@code p} in [0, 1). */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = (float) p;
    }

    /** {@code x} with values dropped in training. */
    public NDArray apply(NDArray x, boolean training, PairList<String, Object> params) {
        if (!training || p == 0 || Taps.shapesOnly(params)) {
            return x;
        }
        Shape shape = x.getShape();
        float[] mask = Draws.mask(params, Math.toIntExact(shape.size()), 1 - p);
        return x.mul(BFloat16.like(x.getManager().create(mask, shape), x));
    }
}
