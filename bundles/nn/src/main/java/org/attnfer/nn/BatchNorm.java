package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Batch normalisation over axis 1 ({@code [N,C]} or {@code [N,C,...]}) with PyTorch's names:
 * {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}; ε = 1e-5 and momentum
 * 0.1 in PyTorch's sense.
 */
public final class BatchNorm extends Module {

    private static final float EPSILON = 1e-5f;
    // DJL's momentum is PyTorch's 1 − momentum
    private static final float DJL_MOMENTUM = 0.9f;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    // set while the layer's part of the network is frozen for fine-tuning
    private volatile boolean statisticsFrozen;

    /** Creates the layer for {@code channels} features. */
    public BatchNorm(int channels) {
        Shape shape = new Shape(channels);
        weight = param("weight", Parameter.Type.GAMMA, shape, Init.ONES);
        bias = param("bias", Parameter.Type.BETA, shape, Init.ZEROS);
        runningMean = buffer("running_mean", Parameter.Type.RUNNING_MEAN, shape, Init.ZEROS);
        runningVar = buffer("running_var", Parameter.Type.RUNNING_VAR, shape, Init.ONES);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // frozen, the layer normalises as in evaluation and its running statistics stay as they are
        boolean batchStatistics = training && !statisticsFrozen;
        if (batchStatistics) {
            // the running statistics move in place
            StateDict.changed();
        }
        // axis -1 makes the PyTorch engine call batch_norm directly, which normalises axis 1
        return ai.djl.nn.norm.BatchNorm.batchNorm(
                x,
                store.getValue(runningMean, x.getDevice(), training),
                store.getValue(runningVar, x.getDevice(), training),
                store.getValue(weight, x.getDevice(), training),
                store.getValue(bias, x.getDevice(), training),
                -1,
                DJL_MOMENTUM,
                EPSILON,
                batchStatistics);
    }

    /**
     * Freezes the running statistics (fine-tuning with a frozen part): in training the layer then
     * normalises with them, as in evaluation, and does not update them.
     */
    public void freezeStatistics(boolean frozen) {
        statisticsFrozen = frozen;
    }

    /**
     * Inference's per-channel affine form, {@code y = x·scale + shift} with {@code scale =
     * weight / √(running_var + ε)} and {@code shift = bias − running_mean·scale}, for folding
     * into the convolution before it. The arrays belong to {@code manager}.
     */
    NDArray[] affine(NDManager manager) {
        // copies first: every result then belongs to the copies' manager, not the model's
        NDArray scale =
                copy(weight, manager).div(copy(runningVar, manager).add(EPSILON).sqrt());
        NDArray shift = copy(bias, manager).sub(copy(runningMean, manager).mul(scale));
        return new NDArray[] {scale, shift};
    }

    private static NDArray copy(Parameter p, NDManager manager) {
        NDArray c = p.getArray().duplicate();
        c.attach(manager);
        return c;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
