package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * {@link ConvRoute#ONEDNN_BF16}: a training convolution that multiplies in bfloat16: input and
 * weight are cast inside one TorchScript forward, libtorch's convolution runs on the casts, and
 * the result comes back as float32, so Java only ever holds float32 arrays (DJL 0.36 aborts the
 * JVM on bfloat16 ones). The forward records gradients, which reach the float32 input and weight
 * through the casts. The bias, where there is one, is added in float32.
 */
final class Bf16Convolution {

    // TorchScript forwards take tensors only, so the geometry is compiled into one module per kind
    private static final Map<String, TorchScript> SCRIPTS = new ConcurrentHashMap<>();

    private Bf16Convolution() {}

    /** The convolution of {@code x} with {@code w}, then {@code b} if it is not null. */
    static NDArray forward(NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups) {
        String kind = stride + "_" + padding + "_" + dilation + "_" + groups;
        TorchScript script = SCRIPTS.computeIfAbsent(
                kind,
                k -> TorchScript.compile("Bf16Convolution_" + k, """
                def forward(self, x: Tensor, weight: Tensor) -> Tensor:
                  # 15 is torch.bfloat16, 2 torch.channels_last: serialised TorchScript spells them as numbers;
                  # channels-last input as in Conv2d.convolve
                  y = torch.conv2d(torch.to(torch.contiguous(x, memory_format=2), 15), torch.to(weight, 15), None,
                                   [%1$d, %1$d], [%2$d, %2$d], [%3$d, %3$d], %4$d)
                  return y.float()
                """.formatted(stride, padding, dilation, groups)));
        NDArray y = script.forwardRecording(x, w);
        return b == null ? y : y.add(b.reshape(1, -1, 1, 1));
    }
}
