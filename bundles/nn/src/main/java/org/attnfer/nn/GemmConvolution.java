package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A convolution computed as one matrix product on channels-last data: each output pixel is a row,
 * its {@code in·k·k} input taps the columns, the weight {@code [out, in·k·k]} read as it is stored.
 * On channels-last activations a 1×1 convolution is a product of views, with no copy at all; a
 * k×k one gathers its k² shifted taps first (im2col).
 *
 * <p>Why: libtorch's convolution (oneDNN) reorders the weight into a blocked layout at every call,
 * forward and backward, and its weight gradient back. When the product has few rows — small maps,
 * wide layers, as in ResNet's last stages — those reorders cost more than the arithmetic, while a
 * matrix product reads the weight where it lies. Where the rows are many, oneDNN is faster for
 * k×k convolutions, whose im2col copy grows with the rows, hence the row limit for them.
 *
 * <p>Every 1×1 convolution takes the product, whatever the property says: on channels-last input
 * oneDNN's 1×1 convolution crashed the process for 1,024 or more channels and computed the
 * forward wrongly for many output widths (80, 112, …, 496, 512 and on, by 40–70 % of the largest
 * value, at batch 2 and more) on this project's AMD EPYC of family 26 (docs/performance.md). The
 * product is exact and, for ResNet50 there, as fast.
 */
final class GemmConvolution {

    /** The system property choosing the training path: {@code gemm} (below the limits) or {@code onednn}. */
    static final String PROPERTY = "attnfer.conv";

    // Measured on ResNet50 training at 3×48×48 and 3×112×112, batch 32, on 2 AVX-512 cores: 3×3
    // convolutions won up to about 600 rows (README, Performance).
    static final long ROWS_KXK = 600;

    private GemmConvolution() {}

    /**
     * Whether a training convolution (one group, dilation 1) with this kernel and these output rows
     * runs as a matrix product: every 1×1 one ({@link #always}), and k×k ones up to {@link #ROWS_KXK} rows where the
     * property asks for {@code gemm}.
     */
    static boolean applies(int kernel, long rows) {
        return always(kernel) || ("gemm".equals(System.getProperty(PROPERTY)) && rows <= ROWS_KXK);
    }

    /** Whether a convolution with this kernel runs as a product wherever gradients are recorded: 1×1. */
    static boolean always(int kernel) {
        return kernel == 1;
    }

    /**
     * The weight {@code [out, in, k…]} as the product's right-hand side {@code [in·k…, out]}, a view
     * owned by {@code manager}. A view of a parameter would otherwise belong to the model's manager
     * and pile up there, two per call, until the model is closed.
     */
    static NDArray rightHandSide(NDArray w, NDManager manager) {
        NDArray rows = w.reshape(w.getShape().get(0), -1);
        rows.attach(manager);
        return rows.transpose();
    }

    /** Output rows of the product: batch × output height × output width. */
    static long rows(Shape out) {
        return out.get(0) * out.get(2) * out.get(3);
    }

    /**
     * The convolution of {@code x [N,C,H,W]} (best stored channels-last) with {@code w [K,C,k,k]},
     * zero padding {@code p}, stride {@code s}, dilation 1, one group; {@code b} may be null. The
     * result is {@code [N,K,Ho,Wo]}, stored channels-last.
     */
    static NDArray forward(NDArray x, NDArray w, NDArray b, int k, int s, int p, Shape out) {
        long n = out.get(0);
        long ho = out.get(2);
        long wo = out.get(3);
        long c = x.getShape().get(1);
        NDArray nhwc = x.transpose(0, 2, 3, 1);
        NDArray columns;
        if (k == 1 && p == 0) {
            NDArray taps = s == 1 ? nhwc : nhwc.get(new NDIndex(":, ::{}, ::{}, :", s, s));
            columns = taps.reshape(n * ho * wo, c);
        } else {
            NDArray padded = p == 0 ? nhwc : nhwc.pad(new Shape(0, 0, p, p, p, p), 0);
            NDList taps = new NDList(k * k);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    taps.add(padded.get(new NDIndex(
                            ":, {}:{}:{}, {}:{}:{}, :", i, i + (ho - 1) * s + 1, s, j, j + (wo - 1) * s + 1, s)));
                }
            }
            // [N,Ho,Wo,C,k·k]: column c·k² + i·k + j, the order of the weight's [C,k,k] rows
            columns = NDArrays.stack(taps, 4).reshape(n * ho * wo, c * k * k);
        }
        NDArray y = columns.matMul(rightHandSide(w, x.getManager()));
        if (b != null) {
            y = y.add(b);
        }
        return y.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2);
    }
}
