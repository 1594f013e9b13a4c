package org.attnfer.nn;

import static ai.djl.nn.convolutional.Conv2d.conv2d;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.attnfer.nn.pytorch.TorchScript;

/** The computation behind each {@link ConvRoute}: one place that maps a route to its kernel. */
final class ConvKernels {

    private ConvKernels() {}

    private static final class ChannelsLast {
        static final TorchScript SCRIPT = TorchScript.compile("ChannelsLast", """
                def forward(self, x: Tensor) -> Tensor:
                  # 2 is torch.channels_last
                  return torch.contiguous(x, memory_format=2)
                """);
    }

    /**
     * The convolution of {@code x} by a training route, recorded for a backward pass; {@code b} may
     * be null. In a bfloat16 shape the result is bfloat16, whatever the route multiplies in.
     */
    static NDArray training(ConvRoute route, ConvShape s, NDArray x, NDArray w, NDArray b) {
        return switch (route) {
            case GEMM -> gemm(s, x, w, b, GemmConvolution.Gather.UNFOLD);
            case GEMM_IM2COL -> gemm(s, x, w, b, GemmConvolution.Gather.IM2COL);
            case GEMM_BF16 -> {
                NDArray x16 = BFloat16.cast(x);
                yield gemm(
                        s,
                        x16,
                        BFloat16.like(w, x16),
                        b == null ? null : BFloat16.like(b, x16),
                        GemmConvolution.Gather.UNFOLD);
            }
            case GEMM_SELECT_BF16 -> SelectConvolution.forward(s, BFloat16.cast(x), w, b);
            // channels-last input, as the training layout has it (a no-op then); Grad-CAM's may not
            case ONEDNN -> {
                NDArray y = libtorch(ChannelsLast.SCRIPT.forwardRecording(BFloat16.toFloat32(x)), w, b, s);
                yield s.bfloat16() ? BFloat16.cast(y) : y;
            }
            case ONEDNN_BF16 -> Bf16Convolution.forward(x, w, b, s.stride(), s.padding(), s.dilation(), s.groups());
            default -> throw new IllegalArgumentException(route.id() + " is not a training route");
        };
    }

    private static NDArray gemm(ConvShape s, NDArray x, NDArray w, NDArray b, GemmConvolution.Gather gather) {
        return GemmConvolution.forward(
                x,
                w,
                b,
                s.kernel(),
                s.stride(),
                s.padding(),
                new Shape(s.batch(), s.out(), s.outHeight(), s.outWidth()),
                gather);
    }

    /**
     * The convolution of {@code x} by an inference route, without a batch norm; {@code packed}
     * keeps the prepacked routes' weights from one call to the next.
     */
    static NDArray inference(
            ConvRoute route, PrepackedConvolution packed, ConvShape s, NDArray x, NDArray w, NDArray b) {
        return switch (route) {
            case PREPACKED, PREPACKED_BF16, PRODUCT -> packed.forward(s, route, w, b, null, false, x);
            case PLAIN -> libtorch(x, w, b, s);
            case SLOW ->
                SlowConvolution.forward(x, w, b, s.kernel(), s.stride(), s.padding(), s.dilation(), s.groups());
            default -> throw new IllegalArgumentException(route.id() + " is not an inference route");
        };
    }

    private static NDArray libtorch(NDArray x, NDArray w, NDArray b, ConvShape s) {
        return conv2d(
                        x,
                        w,
                        b,
                        new Shape(s.stride(), s.stride()),
                        new Shape(s.padding(), s.padding()),
                        new Shape(s.dilation(), s.dilation()),
                        s.groups())
                .singletonOrThrow();
    }
}
