package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.PairList;
import java.util.function.BiFunction;

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
 * <p>Only plain inference takes this path: eval mode, no {@link Taps} observing the forward (they
 * see every layer's own output, and initialisation travels as taps too), no gradients recorded
 * (the prepacked operator has none). Measured faster than libtorch's convolution at every batch
 * tried (ResNet50, 3×112×112: batch 1 by a fifth, 16 to 64 by 6–11 %), and lighter at large ones.
 *
 * <p>At batch 1 a float32 1×1 convolution without groups or padding is one matrix product instead,
 * {@code [out, in]·[in, H·W]} on the map as it lies (with stride s, every s-th pixel of every s-th
 * row), with the folded weight kept: on the EPYC of family 26, where MKL multiplies twice as fast as on
 * the processors before it, ResNet50 at 3×112×112 batch 1 took a median 15.7–15.8 ms this way
 * against 17.4–17.7 ms with all its convolutions packed, faster in 13 of 15 alternating rounds
 * (docs/performance.md). The route is chosen per call, so one layer serves any batch.
 *
 * <p>With {@link Precision#BFLOAT16} the weight is folded in float32 and packed in bfloat16, and the
 * input is cast to bfloat16 and the result back to float32 inside the same TorchScript call, so Java
 * only sees float32 arrays (DJL 0.36 aborts the JVM on bfloat16 ones).
 */
final class PrepackedConvolution {

    /** {@code false} turns the path off. */
    static final String PROPERTY = "attnfer.prepack";

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
    private Precision precision;
    private TorchScript.Value packed;
    private TorchScript.Value product;

    /** Whether plain inference uses packed weights. */
    static boolean enabled() {
        return !"false".equals(System.getProperty(PROPERTY));
    }

    /** Whether this forward is plain inference that may use a packed weight. */
    static boolean applies(NDArray x, boolean training, PairList<String, Object> params) {
        return !training && Taps.of(params) == null && enabled() && !JniUtils.isGradMode();
    }

    /**
     * The convolution of {@code x}, then {@code bn} if it is not null, then a ReLU if asked.
     *
     * @param w the convolution's weight, {@code b} its bias or null
     * @param arithmetic what the convolution multiplies in; the result is float32 either way
     */
    synchronized NDArray forward(
            Conv2d conv, NDArray w, NDArray b, BatchNorm bn, boolean withRelu, Precision arithmetic, NDArray x) {
        long now = StateDict.changes();
        if (changes != now || weight != w || batchNorm != bn || relu != withRelu || precision != arithmetic) {
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
            precision = arithmetic;
        }
        if (asProduct(conv, x, arithmetic)) {
            if (product == null) {
                product = fold(
                        conv, w, b, bn, (weights, bias) -> Kernels.SCRIPT.callForValue("fold_product", weights, bias));
            }
            return Kernels.SCRIPT.call("run_product", x.getManager(), x, product, (long) conv.stride(), withRelu);
        }
        if (packed == null) {
            long[] stride = {conv.stride(), conv.stride()};
            long[] padding = {conv.padding(), conv.padding()};
            long[] dilation = {conv.dilation(), conv.dilation()};
            // the packed context keeps its own references to the tensors it was made from
            packed = fold(
                    conv,
                    w,
                    b,
                    bn,
                    (weights, bias) -> Kernels.SCRIPT.callForValue(
                            arithmetic == Precision.BFLOAT16 ? "pack_bf16" : "pack",
                            weights,
                            bias,
                            stride,
                            padding,
                            dilation,
                            (long) conv.groups(),
                            x.getShape().getShape(),
                            withRelu));
        }
        return Kernels.SCRIPT.call(arithmetic == Precision.BFLOAT16 ? "run_bf16" : "run", x.getManager(), x, packed);
    }

    /** Whether this call runs as one matrix product rather than on the packed weight. */
    static boolean asProduct(Conv2d conv, NDArray x, Precision arithmetic) {
        return x.getShape().get(0) == 1
                && conv.kernelSize() == 1
                && conv.padding() == 0
                && conv.groups() == 1
                && arithmetic == Precision.FLOAT32;
    }

    /** Hands {@code w} and {@code b} (zeros if null), with {@code bn} folded in if not null, to {@code keep}. */
    private static TorchScript.Value fold(
            Conv2d conv, NDArray w, NDArray b, BatchNorm bn, BiFunction<NDArray, NDArray, TorchScript.Value> keep) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDArray weights = w.duplicate();
            weights.attach(scratch);
            NDArray bias = b == null ? scratch.zeros(new Shape(conv.outChannels())) : b.duplicate();
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
