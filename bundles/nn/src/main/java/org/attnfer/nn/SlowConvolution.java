package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * {@link ConvRoute#SLOW}: libtorch's own convolution, without oneDNN, each group's input unfolded
 * into columns and multiplied with its weight ({@code aten::slow_conv_dilated2d}, which takes any
 * dilation); the bias, where there is one, is added afterwards. The inference route of last
 * resort where oneDNN computes a shape wrongly: on one processor (an AMD EPYC of family 26) it did
 * for channel counts it pads to blocks of 16 (benchmarks/results/levers.csv).
 */
final class SlowConvolution {

    // TorchScript forwards take tensors only, so the geometry is compiled into one module per kind
    private static final Map<String, TorchScript> SCRIPTS = new ConcurrentHashMap<>();

    private SlowConvolution() {}

    /** The convolution of {@code x} with {@code w}, then {@code b} if it is not null. */
    static NDArray forward(
            NDArray x, NDArray w, NDArray b, int kernel, int stride, int padding, int dilation, int groups) {
        String kind = kernel + "_" + stride + "_" + padding + "_" + dilation + "_" + groups;
        TorchScript script = SCRIPTS.computeIfAbsent(
                kind,
                k -> TorchScript.compile(
                        "SlowConvolution_" + k, """
                def forward(self, x: Tensor, weight: Tensor) -> Tensor:
                  xs = torch.chunk(x, %5$d, 1)
                  ws = torch.chunk(weight, %5$d, 0)
                  ys: List[Tensor] = []
                  for i in range(%5$d):
                    ys.append(ops.aten.slow_conv_dilated2d(xs[i], ws[i], [%1$d, %1$d], None, [%2$d, %2$d],
                                                           [%3$d, %3$d], [%4$d, %4$d]))
                  return torch.cat(ys, 1)
                """.formatted(kernel, stride, padding, dilation, groups)));
        NDArray y = script.call("forward", x.getManager(), x, w);
        return b == null ? y : y.add(b.reshape(1, -1, 1, 1));
    }
}
