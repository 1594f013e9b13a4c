package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * {@link ConvRoute#GEMM_SELECT_BF16}: a k×k convolution on a small map as two products in
 * bfloat16. The first multiplies each image's pixels {@code [H·W, C]} by a fixed 0/1 selection
 * matrix {@code [Ho·Wo·k², H·W]}, one row per output pixel and tap (a zero row where the tap falls
 * on padding), which gathers the columns; the second multiplies them by the weight laid out as
 * {@code [out, k·k·C]}. The backward of the gather is then a product too, where the unfolded
 * gather of {@link ConvRoute#GEMM_BF16} needs libtorch's {@code unfold_backward}, slow in
 * bfloat16. The selection matrix grows with the square of the map, so only small maps are
 * candidates ({@link #fits}).
 */
final class SelectConvolution {

    /** The largest selection matrix, in entries, that makes a shape a candidate (maps up to 6×6 at 3×3). */
    static final long MAX_ENTRIES = 4096;

    // one module per output size (TorchScript forwards take tensors only), one matrix per geometry
    private static final Map<String, TorchScript> SCRIPTS = new ConcurrentHashMap<>();
    private static final Map<String, NDArray> SELECTIONS = new ConcurrentHashMap<>();
    private static final NDManager CONSTANTS = NDManager.newBaseManager();

    private SelectConvolution() {}

    /** Whether the shape's selection matrix is small enough for this route. */
    static boolean fits(ConvShape s) {
        return s.kernel() > 1 && entries(s) <= MAX_ENTRIES;
    }

    private static long entries(ConvShape s) {
        return s.outHeight() * s.outWidth() * s.kernel() * s.kernel() * s.height() * s.width();
    }

    /**
     * The convolution of the bfloat16 {@code x [N,C,H,W]} (channels-last) with the float32 weight
     * {@code w [K,C,k,k]}, cast to bfloat16 and laid out tap-major; {@code b} may be null.
     * The result is bfloat16 {@code [N,K,Ho,Wo]}, channels-last.
     */
    static NDArray forward(ConvShape s, NDArray x, NDArray w, NDArray b) {
        long ho = s.outHeight();
        long wo = s.outWidth();
        TorchScript script = SCRIPTS.computeIfAbsent(
                ho + "_" + wo, size -> TorchScript.compile("Select_" + size, """
                def forward(self, x: Tensor, w: Tensor, g: Tensor) -> Tensor:
                  n = x.size(0)
                  c = x.size(1)
                  # [N, H·W, C], a view of the channels-last input; then [N, Ho·Wo·k², C], tap-major per pixel
                  t = torch.reshape(torch.permute(x, [0, 2, 3, 1]), [n, -1, c])
                  cols = torch.bmm(g.expand(n, -1, -1), t)
                  cols = torch.reshape(cols, [n * %1$d * %2$d, -1])
                  # the weight cast, then laid out as [K, k, k, C] to match the columns
                  rhs = torch.permute(w.to(x.dtype), [0, 2, 3, 1]).contiguous()
                  y = torch.mm(cols, torch.reshape(rhs, [w.size(0), -1]).t())
                  return torch.permute(torch.reshape(y, [n, %1$d, %2$d, -1]), [0, 3, 1, 2])
                """.formatted(ho, wo)));
        NDArray y = script.forwardRecording(x, w, selection(s));
        return b == null ? y : y.add(BFloat16.like(b, x).reshape(1, -1, 1, 1));
    }

    /** The bfloat16 selection matrix of the shape's geometry, made once. */
    private static NDArray selection(ConvShape s) {
        int k = s.kernel();
        String key = s.height() + "x" + s.width() + "_k" + k + "_s" + s.stride() + "_p" + s.padding();
        return SELECTIONS.computeIfAbsent(key, g -> {
            int h = (int) s.height();
            int w = (int) s.width();
            int ho = (int) s.outHeight();
            int wo = (int) s.outWidth();
            float[] m = new float[ho * wo * k * k * h * w];
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int ih = oh * s.stride() - s.padding() + i;
                            int iw = ow * s.stride() - s.padding() + j;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                int row = ((oh * wo + ow) * k + i) * k + j;
                                m[row * h * w + ih * w + iw] = 1f;
                            }
                        }
                    }
                }
            }
            try (NDManager temp = NDManager.newBaseManager()) {
                NDArray cast = BFloat16.cast(temp.create(m, new Shape((long) ho * wo * k * k, (long) h * w)));
                cast.attach(CONSTANTS);
                return cast;
            }
        });
    }
}
