package org.attnfer.backbone.mobilenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * torchvision's {@code Conv2dNormActivation} as MobileNetV2 uses it: {@code 0} a convolution
 * without bias, {@code 1} BatchNorm, then ReLU6.
 */
public final class ConvBnAct extends Module {

    private final Block conv;
    private final BatchNorm bn;

    /**
     * @param conv the convolution (or the module that replaces it)
     * @param out its output channels
     */
    public ConvBnAct(Block conv, int out) {
        this.conv = child("0", conv);
        this.bn = child("1", new BatchNorm(out));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(through(ps, in.singletonOrThrow(), Chain.NONE, training, params));
    }

    /**
     * The convolution, then {@code between}, then BatchNorm and ReLU6. With nothing between and a
     * plain convolution, {@link Conv2d#thenBatchNorm} may fold the BatchNorm into a prepacked
     * convolution for inference.
     */
    NDArray through(ParameterStore ps, NDArray x, Chain between, boolean training, PairList<String, Object> params) {
        if (between.isEmpty() && conv instanceof Conv2d plain) {
            return Ops.relu6(plain.thenBatchNorm(bn, false, ps, x, training, params));
        }
        NDArray y = between.apply(ps, run(conv, ps, x, training, params), training, params);
        return Ops.relu6(run(bn, ps, y, training, params));
    }
}
