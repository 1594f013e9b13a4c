package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation over the channels (Ba et al., <i>Layer Normalization</i>, 2016) with
 * PyTorch's names {@code weight} and {@code bias}: of the last axis for {@link Layout#CHANNELS_LAST}
 * arrays ({@code nn.LayerNorm(C)} on {@code [N,H,W,C]}), or of axis 1 for {@link
 * Layout#CHANNELS_FIRST} ones (torchvision's {@code LayerNorm2d} on {@code [N,C,H,W]}).
 */
public final class LayerNorm extends Module {

    /** Where the channels are. */
    public enum Layout {
        /** {@code [..., C]}: the last axis is normalised. */
        CHANNELS_LAST,
        /** {@code [N, C, H, W]}: axis 1 is normalised. */
        CHANNELS_FIRST
    }

    private final int channels;
    private final float eps;
    private final Layout layout;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the layer, with ones and zeros as PyTorch does.
     *
     * @param channels the normalised size
     * @param eps added to the variance (PyTorch's default 1e-5; ConvNeXt uses 1e-6)
     * @param layout where the channels are
     */
    public LayerNorm(int channels, double eps, Layout layout) {
        this.channels = channels;
        this.eps = (float) eps;
        this.layout = layout;
        Shape shape = new Shape(channels);
        weight = param("weight", Parameter.Type.GAMMA, shape, Init.ONES);
        bias = param("bias", Parameter.Type.BETA, shape, Init.ZEROS);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        if (layout == Layout.CHANNELS_LAST) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(channels), w, b, eps);
        }
        NDArray last = x.transpose(0, 2, 3, 1);
        NDArray y = ai.djl.nn.norm.LayerNorm.layerNorm(last, new Shape(channels), w, b, eps)
                .singletonOrThrow();
        return new NDList(y.transpose(0, 3, 1, 2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + channels + ", eps=" + eps + ", " + layout + ")";
    }
}
