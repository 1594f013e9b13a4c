package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import org.attnfer.nn.pytorch.GradMode;
import org.attnfer.nn.pytorch.TorchScript;

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

    /**
     * ReLU written over {@code x}, as torchvision's {@code ReLU(inplace=True)}: for an array that
     * nothing reads afterwards and whose backward does not need it (a BatchNorm's output, a sum),
     * so that autograd keeps one map where it would keep two.
     */
    public static NDArray reluInPlace(NDArray x) {
        return InPlace.RELU.forwardRecording(x);
    }

    private static final class InPlace {
        static final TorchScript RELU = TorchScript.compile("InPlaceRelu", """
                def forward(self, x: Tensor) -> Tensor:
                  return torch.relu_(x)
                """);
    }

    /** ReLU6, {@code min(max(x, 0), 6)}, as in MobileNetV2. */
    public static NDArray relu6(NDArray x) {
        return x.clip(0f, 6f);
    }

    /** GELU with the exact Gaussian CDF, {@code x·Φ(x)}, as PyTorch's {@code nn.GELU()}. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** The logistic sigmoid. */
    public static NDArray sigmoid(NDArray x) {
        return Activation.sigmoid(x);
    }

    /** {@code x · c}, the constant kept alive with {@code x}'s manager for the backward pass. */
    public static NDArray scale(NDArray x, float c) {
        return x.mul(x.getManager().create(c));
    }

    /** {@code 1 / x}, the numerator kept alive with {@code x}'s manager for the backward pass. */
    public static NDArray reciprocal(NDArray x) {
        return x.getManager().create(1f).div(x);
    }

    /**
     * Softmax over {@code axis}, in {@code x}'s type: bfloat16 scores are normalised in float32, as
     * under autocast (and since DJL's own softmax aborts the JVM on them).
     */
    public static NDArray softmax(NDArray x, int axis) {
        return BFloat16.holds(x) ? BFloat16.cast(BFloat16.toFloat32(x).softmax(axis)) : x.softmax(axis);
    }

    /** Hard sigmoid, {@code ReLU6(x + 3) / 6}. */
    public static NDArray hardSigmoid(NDArray x) {
        return scale(x.add(3f).clip(0f, 6f), 1f / 6f);
    }

    /** Hard swish, {@code x · ReLU6(x + 3) / 6}. */
    public static NDArray hardSwish(NDArray x) {
        return x.mul(hardSigmoid(x));
    }

    /**
     * The same {@code [N,C,H,W]} values stored with the channels innermost (PyTorch's channels-last
     * strides), unless the training layout is {@link ComputeSettings.Layout#NCHW}. Convolutions, batch norm, pooling
     * and element-wise operations keep that layout for their outputs, so one call at a network's
     * input lays out every activation after it. oneDNN then convolves without reordering each
     * activation into its blocked layout and back, which on plain {@code [N,C,H,W]} arrays cost
     * more than the convolutions of small feature maps. DJL has no memory-format API; the strides
     * come from a permuted copy.
     */
    public static NDArray channelsLast(NDArray x) {
        if (ComputeSettings.layout() == ComputeSettings.Layout.NCHW) {
            return x;
        }
        Shape s = x.getShape();
        long n = s.get(0);
        // The first reshape cannot view the permuted array, so it copies in [N,H,W,C] order.
        return x.transpose(0, 2, 3, 1)
                .reshape(n, -1)
                .reshape(n, s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /** Max pool 3×3, stride 2, padding 1; padded cells never win. */
    public static NDArray maxPool3x3s2(NDArray x) {
        if (GradMode.recording()) {
            // libtorch's pool sends each window's gradient to one winner, as PyTorch does
            return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        }
        // Without gradients the same values come from the maximum of strided views, rows then
        // columns; libtorch's pool on [N,C,H,W] arrays is a scalar loop that also records the
        // winners (ResNet50 at batch 1: 10.85 → 10.69 ms).
        Shape s = x.getShape();
        NDArray padded = x.pad(new Shape(1, 1, 1, 1), Float.NEGATIVE_INFINITY);
        NDArray rows = max3Strided(padded, ":, :, %d:%d:2, :", (s.get(2) + 1) / 2);
        return max3Strided(rows, ":, :, :, %d:%d:2", (s.get(3) + 1) / 2);
    }

    /** The maximum of the three views {@code index} takes at offsets 0, 1 and 2 with stride 2. */
    private static NDArray max3Strided(NDArray x, String index, long out) {
        NDArray m = x.get(String.format(index, 0, 2 * out - 1));
        for (int offset = 1; offset < 3; offset++) {
            m = m.maximum(x.get(String.format(index, offset, 2 * out - 1 + offset)));
        }
        return m;
    }
}
