package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A linear map over the last axis with PyTorch's {@code weight [out, in]} and optional {@code bias [out]}. */
public final class Linear extends Module implements Costed {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the layer, initialised as PyTorch's {@code nn.Linear} (uniform ±1/√in).
     *
     * @param inFeatures input size
     * @param outFeatures output size
     * @param bias whether it has a bias
     */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        weight = param(
                "weight", Parameter.Type.WEIGHT, new Shape(outFeatures, inFeatures), Init.uniformFanIn(inFeatures));
        this.bias =
                bias ? param("bias", Parameter.Type.BIAS, new Shape(outFeatures), Init.uniformFanIn(inFeatures)) : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        return ai.djl.nn.core.Linear.linear(x, BFloat16.like(w, x), b == null ? null : BFloat16.like(b, x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    @Override
    public long macs(Shape[] input, Shape[] output) {
        return input[0].size() / inFeatures * inFeatures * outFeatures;
    }
}
