package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * {@link ConvRoute#ONEDNN_BF16}: a training convolution in bfloat16. Input, weight and bias are
 * cast inside one TorchScript forward (a no-op for an input that is bfloat16 already, as between
 * the layers of a {@link Precision#BFLOAT16} network), libtorch's convolution runs on them and
 * accumulates in float32, and the result stays bfloat16 for the next layer. The forward records
 * gradients, which reach the float32 weight and bias through the casts.
 */
final class Bf16Convolution {

    // TorchScript forwards take tensors only, so the geometry is compiled into one module per kind
    private static final Map<String, TorchScript> SCRIPTS = new ConcurrentHashMap<>();

    private Bf16Convolution() {}

    /** The convolution of {@code x} with {@code w}, then {@code b} if it is not null, in bfloat16. */
    static NDArray forward(NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups) {
        boolean bias = b != null;
        String kind = stride + "_" + padding + "_" + dilation + "_" + groups + (bias ? "_bias" : "");
        TorchScript script = SCRIPTS.computeIfAbsent(
                kind,
                k -> TorchScript.compile("Bf16Convolution_" + k, """
                def forward(self, x: Tensor, weight: Tensor%5$s) -> Tensor:
                  # 15 is torch.bfloat16, 2 torch.channels_last: serialised TorchScript spells them as numbers;
                  # channels-last input as in Conv2d.convolve
                  return torch.conv2d(torch.to(torch.contiguous(x, memory_format=2), 15), torch.to(weight, 15), %6$s,
                                      [%1$d, %1$d], [%2$d, %2$d], [%3$d, %3$d], %4$d)
                """.formatted(
                                stride,
                                padding,
                                dilation,
                                groups,
                                bias ? ", bias: Tensor" : "",
                                bias ? "torch.to(bias, 15)" : "None")));
        return bias ? script.forwardRecording(x, w, b) : script.forwardRecording(x, w);
    }
}
