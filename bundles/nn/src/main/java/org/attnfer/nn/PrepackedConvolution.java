package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiFunction;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * A convolution in plain inference on a weight that oneDNN laid out once, with the BatchNorm that
 * follows it folded into weight and bias, and a ReLU fused, when the caller asks.
 *
 * <p>Why: libtorch's convolution reorders the weight into oneDNN's blocked layout at every call;
 * at batch 1 that is most of the time of ResNet50's convolutions. PyTorch's prepacked operators
 * ({@code mkldnn_prepacked::conv2d_prepack}, {@code conv2d_run}), reached through {@link
 * TorchScript}, keep the laid-out weight. It is rebuilt whenever {@link StateDict#changes} moves
 * or the layer's weight array is another, so it never runs on stale values.
 *
 * <p>Serves three routes: {@link ConvRoute#PREPACKED}; {@link ConvRoute#PREPACKED_BF16}, the weight
 * folded in float32 and packed in bfloat16, the input cast to bfloat16 and the result back to
 * float32 inside the same TorchScript call; and at batch 1, for 1×1 kernels, {@link
 * ConvRoute#PRODUCT}, {@code [out, in]·[in, H·W]} on the map as it lies (with stride s, every s-th
 * pixel of every s-th row) with the folded weight kept. Only plain inference takes them: the
 * prepacked operator records no gradients.
 */
final class PrepackedConvolution {

    private static final class Kernels {
        static final TorchScript SCRIPT = TorchScript.compile("PrepackedConvolution", """
                def pack(self, weight: Tensor, bias: Tensor, stride: List[int], padding: List[int], dilation: List[int],
                         groups: int, size: List[int], relu: bool) -> __torch__.torch.classes.mkldnn.ConvOpContext:
                  return ops.mkldnn_prepacked.conv2d_prepack(weight, bias, stride, padding, dilation, groups, size,
                                                            "relu" if relu else "none")
                def pack_bf16(self, weight: Tensor, bias: Tensor, stride: List[int], padding: List[int],
                              dilation: List[int],
                              groups: int, size: List[int], relu: bool) -> __torch__.torch.classes.mkldnn.ConvOpContext:
                  # 15 is torch.bfloat16: serialised TorchScript spells dtypes as numbers
                  return ops.mkldnn_prepacked.conv2d_prepack(torch.to(weight, 15), torch.to(bias, 15), stride, padding,
                                                            dilation, groups, size, "relu" if relu else "none")
                def run(self, x: Tensor, packed: __torch__.torch.classes.mkldnn.ConvOpContext) -> Tensor:
                  return ops.mkldnn_prepacked.conv2d_run(x, packed)
                def fold_product(self, weight: Tensor, bias: Tensor) -> Tensor:
                  # the bias as column 0, the [out, in] weight after it
                  return torch.cat([bias.unsqueeze(1), weight.reshape(weight.size(0), -1)], 1)
                def run_product(self, x: Tensor, folded: Tensor, stride: int, relu: bool) -> Tensor:
                  if stride > 1:
                    x = x[:, :, ::stride, ::stride]
                  h = x.size(2)
                  w = x.size(3)
                  y = torch.addmm(folded[:, 0:1], folded[:, 1:], x.reshape(x.size(1), h * w))
                  if relu:
                    y = torch.relu_(y)
                  return y.reshape(1, folded.size(0), h, w)
                def run_bf16(self, x: Tensor, packed: __torch__.torch.classes.mkldnn.ConvOpContext) -> Tensor:
                  return ops.mkldnn_prepacked.conv2d_run(torch.to(x, 15), packed).float()
                """);
    }

    // what the kept weights were made from; packed and product are built when first needed
    private long changes = -1;
    private NDArray weight;
    private BatchNorm batchNorm;
    private boolean relu;
    private ConvRoute kept;
    private TorchScript.Value packed;
    private TorchScript.Value product;

    /**
     * The convolution of {@code x} by {@code route}, then {@code bn} if it is not null, then a ReLU
     * if asked. The kept weights are rebuilt whenever {@link StateDict#changes} moved, or the
     * weight array, the batch norm, the ReLU or the route is another.
     *
     * @param s the convolution's geometry
     * @param route {@link ConvRoute#PREPACKED}, {@link ConvRoute#PREPACKED_BF16} or {@link ConvRoute#PRODUCT}
     * @param w the convolution's weight, {@code b} its bias or null
     * @return the result, float32 whatever the route multiplies in
     */
    synchronized NDArray forward(
            ConvShape s, ConvRoute route, NDArray w, NDArray b, BatchNorm bn, boolean withRelu, NDArray x) {
        long now = StateDict.changes();
        if (changes != now || weight != w || batchNorm != bn || relu != withRelu || kept != route) {
            for (TorchScript.Value stale : new TorchScript.Value[] {packed, product}) {
                if (stale != null) {
                    stale.close();
                }
            }
            packed = null;
            product = null;
            changes = now;
            weight = w;
            batchNorm = bn;
            relu = withRelu;
            kept = route;
        }
        if (route == ConvRoute.PRODUCT) {
            if (product == null) {
                product = fold(
                        s, w, b, bn, (weights, bias) -> Kernels.SCRIPT.callForValue("fold_product", weights, bias));
            }
            return Kernels.SCRIPT.call("run_product", x.getManager(), x, product, (long) s.stride(), withRelu);
        }
        boolean bf16 = route == ConvRoute.PREPACKED_BF16;
        if (packed == null) {
            long[] stride = {s.stride(), s.stride()};
            long[] padding = {s.padding(), s.padding()};
            long[] dilation = {s.dilation(), s.dilation()};
            // the packed context keeps its own references to the tensors it was made from
            packed = fold(
                    s,
                    w,
                    b,
                    bn,
                    (weights, bias) -> Kernels.SCRIPT.callForValue(
                            bf16 ? "pack_bf16" : "pack",
                            weights,
                            bias,
                            stride,
                            padding,
                            dilation,
                            (long) s.groups(),
                            x.getShape().getShape(),
                            withRelu));
        }
        return Kernels.SCRIPT.call(bf16 ? "run_bf16" : "run", x.getManager(), x, packed);
    }

    /** Hands {@code w} and {@code b} (zeros if null), with {@code bn} folded in if not null, to {@code keep}. */
    private static TorchScript.Value fold(
            ConvShape s, NDArray w, NDArray b, BatchNorm bn, BiFunction<NDArray, NDArray, TorchScript.Value> keep) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDArray weights = w.duplicate();
            weights.attach(scratch);
            NDArray bias = b == null ? scratch.zeros(new Shape(s.out())) : b.duplicate();
            bias.attach(scratch);
            if (bn != null) {
                // y = (conv(x) + b)·scale + shift = conv_{w·scale}(x) + (b·scale + shift)
                NDArray[] affine = bn.affine(scratch);
                weights = weights.mul(affine[0].reshape(-1, 1, 1, 1));
                bias = bias.mul(affine[0]).add(affine[1]);
            }
            return keep.apply(weights, bias);
        }
    }
}
