package org.attnfer.sampling.sc.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Costed;
import org.attnfer.nn.Init;
import org.attnfer.nn.Module;

/**
 * Space-to-depth followed by a k×k stride-1 convolution without bias, holding the convolution's
 * {@code weight [out, 4·in, k, k]} itself, so that in place of a stem convolution its key stays
 * {@code conv1.weight}.
 */
final class SpdConv extends Module implements Costed {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Parameter weight;

    SpdConv(int inChannels, int outChannels, int kernel) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        weight = param(
                "weight",
                Parameter.Type.WEIGHT,
                new Shape(outChannels, 4L * inChannels, kernel, kernel),
                Init.KAIMING_NORMAL_FAN_OUT);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = SpaceToDepth.apply(in.singletonOrThrow());
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return new NDList(Conv2d.convolve(x, w, null, 1, kernel / 2, 1, 1, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), outChannels, (s.get(2) + 1) / 2, (s.get(3) + 1) / 2)};
    }

    @Override
    public long macs(Shape[] input, Shape[] output) {
        return output[0].size() * 4L * inChannels * kernel * kernel;
    }
}
