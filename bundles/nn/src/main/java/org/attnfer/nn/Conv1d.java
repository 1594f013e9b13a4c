package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A 1-D convolution with PyTorch's parameter {@code weight [out, in, k]}, stride 1, no bias. */
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
        NDArray w = store.getValue(weight, x.getDevice(), training);
        return ai.djl.nn.convolutional.Conv1d.conv1d(
                x, w, null, new Shape(1), new Shape(padding), new Shape(1), 1);
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
