package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;

/**
 * Parameter-free operations on {@code [N,C,H,W]} arrays. The PyTorch engine reduces one axis per
 * call for mean and max, so spatial reductions chain two calls.
 *
 * <p>Multiply by constants with {@link #scale}, not with DJL's {@code mul(Number)} or {@code
 * div(Number)}: those wrap the constant in a tensor over a Java buffer and free it right after the
 * operation, while autograd keeps that tensor for the backward pass, which then reads freed memory
 * once the garbage collector has run.
 */
public final class Ops {

    private static final int[] W = {3};
    private static final int[] H = {2};

    private Ops() {}

    /** Global average pool, keeping dimensions: {@code [N,C,1,1]}. */
    public static NDArray gap(NDArray x) {
        return x.mean(W, true).mean(H, true);
    }

    /** Global max pool, keeping dimensions: {@code [N,C,1,1]}. */
    public static NDArray gmp(NDArray x) {
        return x.max(W, true).max(H, true);
    }

    /** ReLU. */
    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** The logistic sigmoid. */
    public static NDArray sigmoid(NDArray x) {
        return Activation.sigmoid(x);
    }

    /** {@code x · c}, the constant kept alive with {@code x}'s manager for the backward pass. */
    public static NDArray scale(NDArray x, float c) {
        return x.mul(x.getManager().create(c));
    }

    /** Hard sigmoid, {@code ReLU6(x + 3) / 6}. */
    public static NDArray hardSigmoid(NDArray x) {
        return scale(x.add(3f).clip(0f, 6f), 1f / 6f);
    }

    /** Hard swish, {@code x · ReLU6(x + 3) / 6}. */
    public static NDArray hardSwish(NDArray x) {
        return x.mul(hardSigmoid(x));
    }

    /** Max pool 3×3, stride 2, padding 1; padded cells never win. */
    public static NDArray maxPool3x3s2(NDArray x) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
    }
}
