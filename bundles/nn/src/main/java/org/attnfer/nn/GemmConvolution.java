package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * {@link ConvRoute#GEMM}: a convolution computed as one matrix product on channels-last data, each
 * output pixel a row, its {@code in·k·k} input taps the columns, the weight {@code [out, in·k·k]}
 * read as it is stored. On channels-last activations a 1×1 convolution is a product of views, with
 * no copy at all; a k×k one gathers its k² shifted taps into columns first ({@link Gather}).
 * Where the product has few rows (small maps, wide layers) this can beat a kernel library that
 * reorders the weight into its own layout at every call; where the rows are many, the copy grows
 * with them. Which is the case is measured per shape ({@link Routes}).
 */
final class GemmConvolution {

    private GemmConvolution() {}

    /** How a k×k convolution gathers its taps into the product's columns. */
    enum Gather {
        /**
         * The padded channels-last input unfolded along height and width (two views), copied once
         * into the columns; backward, one accumulating pass per unfolded axis.
         */
        UNFOLD("""
                  # [N,H,W,C] padded, unfolded to [N,Ho,Wo,C,k,k]: the weight's [C,k,k] order
                  t = torch.constant_pad_nd(torch.permute(x, [0, 2, 3, 1]), [0, 0, %3$d, %3$d, %3$d, %3$d], 0.0)
                  t = t.unfold(1, %1$d, %2$d).unfold(2, %1$d, %2$d)
                  return torch.reshape(t, [-1, t.size(3) * %1$d * %1$d])
                """),
        /** libtorch's im2col: a copy to NCHW and the columns forward, one col2im pass backward. */
        IM2COL("""
                  # [N, C·k·k, L], row c·k² + i·k + j as the weight's [C,k,k] rows; then a row per output pixel
                  cols = ops.aten.im2col(torch.contiguous(x), [%1$d, %1$d], [1, 1], [%3$d, %3$d], [%2$d, %2$d])
                  return torch.reshape(torch.transpose(cols, 1, 2), [-1, cols.size(1)])
                """);

        // TorchScript forwards take tensors only, so the geometry is compiled into one module per kind
        private static final Map<String, TorchScript> SCRIPTS = new ConcurrentHashMap<>();

        /** The body of the forward, formatted with kernel, stride and padding. */
        private final String body;

        Gather(String body) {
            this.body = body;
        }

        /** The columns {@code [N·Ho·Wo, C·k·k]} of {@code x [N,C,H,W]}, column c·k² + i·k + j. */
        NDArray columns(NDArray x, int k, int s, int p) {
            return SCRIPTS.computeIfAbsent(
                            name() + "_" + k + "_" + s + "_" + p,
                            kind -> TorchScript.compile(
                                    "Gather_" + kind,
                                    "def forward(self, x: Tensor) -> Tensor:\n" + body.formatted(k, s, p)))
                    .forwardRecording(x);
        }
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

    /**
     * The convolution of {@code x [N,C,H,W]} (best stored channels-last) with {@code w [K,C,k,k]},
     * zero padding {@code p}, stride {@code s}, dilation 1, one group; {@code b} may be null. The
     * result is {@code [N,K,Ho,Wo]}, stored channels-last.
     */
    static NDArray forward(NDArray x, NDArray w, NDArray b, int k, int s, int p, Shape out, Gather gather) {
        long n = out.get(0);
        long ho = out.get(2);
        long wo = out.get(3);
        NDArray columns;
        if (k == 1 && p == 0) {
            NDArray nhwc = x.transpose(0, 2, 3, 1);
            NDArray taps = s == 1 ? nhwc : nhwc.get(new NDIndex(":, ::{}, ::{}, :", s, s));
            columns = taps.reshape(n * ho * wo, x.getShape().get(1));
        } else {
            columns = gather.columns(x, k, s, p);
        }
        NDArray y = columns.matMul(rightHandSide(w, x.getManager()));
        if (b != null) {
            y = y.add(b);
        }
        return y.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2);
    }
}
