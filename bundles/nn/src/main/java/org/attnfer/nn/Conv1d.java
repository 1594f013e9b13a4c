package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 1-D convolution with PyTorch's parameter {@code weight [out, in, k]}, stride 1, no bias,
 * computed as one matrix product: each output position a row, its {@code in·k} taps the columns.
 *
 * <p>Why not libtorch's convolution: on the machine of 2026-12-03 its oneDNN kernel gave input
 * gradients off by about half their largest value, or NaN, in about half the calls for ECA's
 * one-channel convolution (docs/performance.md), while libtorch's matrix products were exact.
 * The layer is small (ECA: {@code k} taps over the channel descriptor), so the product costs
 * nothing measurable.
 */
public final class Conv1d extends Module implements Costed {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int padding;
    private final Parameter weight;

    /**
     * Creates the layer.
     *
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel kernel size
     * @param padding zero padding on both ends
     */
    public Conv1d(int inChannels, int outChannels, int kernel, int padding) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.padding = padding;
        Shape shape = new Shape(outChannels, inChannels, kernel);
        weight = param("weight", Parameter.Type.WEIGHT, shape, Init.uniformFanIn(Init.fanIn(shape)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = BFloat16.like(store.getValue(weight, x.getDevice(), training), x);
        long n = x.getShape().get(0);
        long length = x.getShape().get(2) + 2L * padding - kernel + 1;
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding), 0);
        NDList taps = new NDList(kernel);
        for (int j = 0; j < kernel; j++) {
            taps.add(padded.get(new NDIndex(":, :, {}:{}", j, j + length)));
        }
        // [N,L,in,k]: column i·k + j, the order of the weight's [in,k] rows
        NDArray columns = NDArrays.stack(taps, 3).transpose(0, 2, 1, 3).reshape(n * length, (long) inChannels * kernel);
        NDArray y = columns.matMul(GemmConvolution.rightHandSide(w, x.getManager()));
        return new NDList(y.reshape(n, length, outChannels).transpose(0, 2, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2) + 2L * padding - kernel + 1)};
    }

    @Override
    public long macs(Shape[] input, Shape[] output) {
        return output[0].size() * inChannels * kernel;
    }
}
