package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A 2-D convolution with PyTorch's parameters: {@code weight [out, in/groups, kh, kw]} and an
 * optional {@code bias [out]}. While training, every 1×1 convolution runs as a matrix product
 * instead of through libtorch's convolution, and so does, with {@code attnfer.conv=gemm}, a k×k
 * one whose product has few rows (see {@link GemmConvolution}); in plain inference it runs on a weight oneDNN
 * laid out once (see {@link PrepackedConvolution}); with {@link Precision#BFLOAT16} in the forward's params, a
 * convolution of more than three input channels, with multiples of 16 channels per group in and
 * out, multiplies in bfloat16, on the packed weight in inference and otherwise through {@link
 * Bf16Convolution} unless it runs as a float32 product. The result is the same up to rounding. The remaining
 * convolutions
 * take the routes of {@link #convolve}.
 */
public final class Conv2d extends Module implements Costed {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    private final PrepackedConvolution prepacked = new PrepackedConvolution();

    private Conv2d(Builder b) {
        if (b.in % b.groups != 0 || b.out % b.groups != 0) {
            throw new IllegalArgumentException(
                    "groups (" + b.groups + ") must divide in (" + b.in + ") and out (" + b.out + ") channels");
        }
        inChannels = b.in;
        outChannels = b.out;
        kernel = b.kernel;
        stride = b.stride;
        padding = b.padding;
        dilation = b.dilation;
        groups = b.groups;
        Shape shape = new Shape(outChannels, inChannels / groups, kernel, kernel);
        weight = param("weight", Parameter.Type.WEIGHT, shape, b.weightInit);
        bias = b.bias
                ? param("bias", Parameter.Type.BIAS, new Shape(outChannels), Init.uniformFanIn(Init.fanIn(shape)))
                : null;
    }

    /** A builder; channels first, the rest by name. Defaults: 1×1, stride 1, no padding, bias on. */
    public static Builder builder(int inChannels, int outChannels) {
        return new Builder(inChannels, outChannels);
    }

    /** The weight parameter. */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (Taps.shapesOnly(params)) {
            // initialising or tracing needs only the shape; libtorch's own route for such batch-1
            // inputs also logs an NNPACK warning per call on CPUs NNPACK does not know
            return new NDList(x.getManager().zeros(getOutputShapes(new Shape[] {x.getShape()})[0], x.getDataType()));
        }
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        if (prepacks(x, training, params)) {
            return new NDList(prepacked.forward(this, w, b, null, false, arithmetic(params), x));
        }
        if (training && groups == 1 && dilation == 1) {
            Shape out = getOutputShapes(new Shape[] {x.getShape()})[0];
            if (GemmConvolution.applies(kernel, GemmConvolution.rows(out))) {
                return new NDList(GemmConvolution.forward(x, w, b, kernel, stride, padding, out));
            }
        }
        // the products above measured faster in float32 than oneDNN in bfloat16 (README, Performance)
        if (training && arithmetic(params) == Precision.BFLOAT16) {
            return new NDList(Bf16Convolution.forward(x, w, b, stride, padding, dilation, groups));
        }
        return new NDList(convolve(x, w, b, stride, padding, dilation, groups, training));
    }

    /**
     * libtorch's convolution of {@code x} with {@code w}, then {@code b} if it is not null, by the
     * routes that computed right on this project's machine of 2026-12-03 (docs/performance.md):
     * where gradients are recorded outside training (Grad-CAM), and for 1×1 kernels in training, as
     * a matrix product ({@link GemmConvolution}); for the other kernels in training, oneDNN's on
     * {@code x} laid out channels-last (a no-op where it already is; on plain {@code [N,C,H,W]}
     * input the input gradients came out wrong); otherwise oneDNN's on {@code x} as it is, or
     * libtorch's own unfold-and-multiply where oneDNN would pad the channels ({@link #paddedBlocks}).
     */
    public static NDArray convolve(
            NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups, boolean training) {
        Shape ws = w.getShape();
        boolean recording = training || JniUtils.isGradMode();
        Shape xs = x.getShape();
        int k = (int) ws.get(2);
        // Grad-CAM's few small batches: at batch 1 libtorch would also pass oneDNN by and log an
        // NNPACK warning per call on CPUs NNPACK does not know
        if (recording && groups == 1 && dilation == 1 && (!training || GemmConvolution.always(k))) {
            Shape out = new Shape(
                    xs.get(0),
                    ws.get(0),
                    (xs.get(2) + 2L * padding - k) / stride + 1,
                    (xs.get(3) + 2L * padding - k) / stride + 1);
            return GemmConvolution.forward(x, w, b, k, stride, padding, out);
        }
        if (!recording && paddedBlocks(xs.get(1), ws.get(0), groups)) {
            return SlowConvolution.forward(x, w, b, (int) ws.get(2), stride, padding, dilation, groups);
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(
                        recording ? Layout.SCRIPT.forwardRecording(x) : x,
                        w,
                        b,
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        new Shape(dilation, dilation),
                        groups)
                .singletonOrThrow();
    }

    private static final class Layout {
        static final TorchScript SCRIPT = TorchScript.compile("ChannelsLast", """
                def forward(self, x: Tensor) -> Tensor:
                  # 2 is torch.channels_last
                  return torch.contiguous(x, memory_format=2)
                """);
    }

    /**
     * Whether oneDNN would keep a convolution's activations or weights in blocks of 16 channels
     * with a padded tail. On an AMD EPYC of family 26, model 2 (this project's machine since
     * 2026-12-03), libtorch 2.7.1's oneDNN computed such convolutions wrongly and at random when
     * prepacked or on plain {@code [N,C,H,W]} input: errors of 17–60 % and NaN for 8, 24 or 40
     * channels where 16, 32 or 64 were exact (docs/performance.md). The image's three input
     * channels were not affected. Counts are per group.
     */
    static boolean paddedBlocks(long in, long out, int groups) {
        return (in > 3 && (in / groups) % 16 != 0) || (out / groups) % 16 != 0;
    }

    private boolean paddedBlocks() {
        return paddedBlocks(inChannels, outChannels, groups);
    }

    private boolean prepacks(NDArray x, boolean training, PairList<String, Object> params) {
        return !paddedBlocks() && PrepackedConvolution.applies(x, training, params);
    }

    /**
     * The precision {@code params} ask for, except in the stem, which reads the image with too few
     * channels to gain and stays exact, and where oneDNN would pad the channels, which then run
     * without it (see {@link #paddedBlocks}).
     */
    private Precision arithmetic(PairList<String, Object> params) {
        return inChannels > 3 && !paddedBlocks() ? Precision.of(params) : Precision.FLOAT32;
    }

    /**
     * This convolution, then {@code bn}, then a ReLU if asked. In plain inference that is one
     * prepacked oneDNN convolution with the batch norm folded into its weight and bias and the
     * ReLU fused; otherwise the layers run one after the other through {@link Module#run},
     * so that taps see each of them.
     */
    public NDArray thenBatchNorm(
            BatchNorm bn,
            boolean relu,
            ParameterStore store,
            NDArray x,
            boolean training,
            PairList<String, Object> params) {
        if (isInitialized() && bn.isInitialized() && prepacks(x, training, params)) {
            NDArray w = store.getValue(weight, x.getDevice(), false);
            NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), false);
            return prepacked.forward(this, w, b, bn, relu, arithmetic(params), x);
        }
        NDArray y = Module.run(bn, store, Module.run(this, store, x, training, params), training, params);
        if (!relu) {
            return y;
        }
        // taps may hold the batch norm's output
        return Taps.of(params) == null ? Ops.reluInPlace(y) : Ops.relu(y);
    }

    int outChannels() {
        return outChannels;
    }

    int kernelSize() {
        return kernel;
    }

    int stride() {
        return stride;
    }

    int padding() {
        return padding;
    }

    int dilation() {
        return dilation;
    }

    int groups() {
        return groups;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, size(in.get(2)), size(in.get(3)))};
    }

    private long size(long n) {
        return (n + 2L * padding - (long) dilation * (kernel - 1) - 1) / stride + 1;
    }

    @Override
    public long macs(Shape[] input, Shape[] output) {
        return output[0].size() * (inChannels / groups) * kernel * kernel;
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", k=" + kernel + ", s=" + stride
                + ", p=" + padding + (dilation > 1 ? ", d=" + dilation : "") + (groups > 1 ? ", g=" + groups : "")
                + (bias == null ? ", bias=false" : "") + ")";
    }

    /** Builds a {@link Conv2d}. */
    public static final class Builder {
        private final int in;
        private final int out;
        private int kernel = 1;
        private int stride = 1;
        private int padding;
        private int dilation = 1;
        private int groups = 1;
        private boolean bias = true;
        private Initializer weightInit = Init.KAIMING_NORMAL_FAN_OUT;

        private Builder(int in, int out) {
            if (in < 1 || out < 1) {
                throw new IllegalArgumentException("channels must be ≥ 1, got " + in + " → " + out);
            }
            this.in = in;
            this.out = out;
        }

        /** Square kernel size. */
        public Builder kernel(int k) {
            kernel = k;
            return this;
        }

        /** Stride. */
        public Builder stride(int s) {
            stride = s;
            return this;
        }

        /** Zero padding on every side. */
        public Builder padding(int p) {
            padding = p;
            return this;
        }

        /** Dilation. */
        public Builder dilation(int d) {
            dilation = d;
            return this;
        }

        /** Groups. */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Whether the convolution has a bias. */
        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /** How the weight is initialised for training (default: Kaiming-normal, fan-out). */
        public Builder weightInit(Initializer init) {
            weightInit = init;
            return this;
        }

        /** Builds the layer. */
        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}
