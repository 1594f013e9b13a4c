package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.attnfer.nn.pytorch.GradMode;

/**
 * A 2-D convolution with PyTorch's parameters: {@code weight [out, in/groups, kh, kw]} and an
 * optional {@code bias [out]}. How it computes, with gradients recorded or in plain inference, in
 * float32 or with bfloat16 products, is the {@link ConvRoute} that {@link Routes} measured fastest
 * and correct for the call's shape on this machine; every route gives the same result up to
 * rounding.
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
            // initialising or tracing needs only the shape
            return new NDList(x.getManager().zeros(getOutputShapes(new Shape[] {x.getShape()})[0], x.getDataType()));
        }
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        boolean recording = training || GradMode.recording();
        // taps see every layer's own output, so observed inference keeps no folded weights
        ConvShape shape = shape(
                x,
                recording,
                recording ? Precision.training(x, params) : Precision.of(params),
                Taps.of(params) == null ? ConvShape.Caller.LAYER : ConvShape.Caller.STATIC);
        ConvRoute route = Routes.policy().route(shape);
        return new NDList(
                recording
                        ? ConvKernels.training(route, shape, x, w, b)
                        : ConvKernels.inference(route, prepacked, shape, x, w, b));
    }

    private ConvShape shape(NDArray x, boolean recording, Precision precision, ConvShape.Caller caller) {
        Shape s = x.getShape();
        return new ConvShape(
                recording,
                precision,
                s.get(0),
                inChannels,
                outChannels,
                s.get(2),
                s.get(3),
                kernel,
                stride,
                padding,
                dilation,
                groups,
                bias != null,
                caller);
    }

    /**
     * The convolution of {@code x} with {@code w}, then {@code b} if it is not null, for blocks that
     * hold a convolution's weight themselves: by the route {@link Routes} chose for the shape, among
     * those that keep nothing between calls.
     */
    public static NDArray convolve(
            NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups, boolean training) {
        Shape xs = x.getShape();
        Shape ws = w.getShape();
        boolean recording = training || GradMode.recording();
        ConvShape shape = new ConvShape(
                recording,
                recording ? Precision.training(x, null) : Precision.FLOAT32,
                xs.get(0),
                xs.get(1),
                ws.get(0),
                xs.get(2),
                xs.get(3),
                (int) ws.get(2),
                stride,
                padding,
                dilation,
                groups,
                b != null,
                ConvShape.Caller.STATIC);
        ConvRoute route = Routes.policy().route(shape);
        return recording
                ? ConvKernels.training(route, shape, x, w, b)
                : ConvKernels.inference(route, null, shape, x, w, b);
    }

    /**
     * This convolution, then {@code bn}, then a ReLU if asked. Where the chosen inference route
     * keeps a prepared weight, that is one call with the batch norm folded into the weight and bias
     * and the ReLU fused; otherwise the layers run one after the other through {@link Module#run},
     * so that taps see each of them.
     */
    public NDArray thenBatchNorm(
            BatchNorm bn,
            boolean relu,
            ParameterStore store,
            NDArray x,
            boolean training,
            PairList<String, Object> params) {
        if (!training && isInitialized() && bn.isInitialized() && Taps.of(params) == null && !GradMode.recording()) {
            ConvShape shape = shape(x, false, Precision.of(params), ConvShape.Caller.LAYER_BATCH_NORM);
            ConvRoute route = Routes.policy().route(shape);
            if (route == ConvRoute.PREPACKED || route == ConvRoute.PREPACKED_BF16 || route == ConvRoute.PRODUCT) {
                NDArray w = store.getValue(weight, x.getDevice(), false);
                NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), false);
                return prepacked.forward(shape, route, w, b, bn, relu, x);
            }
        }
        NDArray y = Module.run(bn, store, Module.run(this, store, x, training, params), training, params);
        if (!relu) {
            return y;
        }
        // taps may hold the batch norm's output
        return Taps.of(params) == null ? Ops.reluInPlace(y) : Ops.relu(y);
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
