package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A block that rescales every channel of its input {@code [N, C, H, W]} by a gate computed from
 * it, the form shared by squeeze-and-excitation (Hu et al., CVPR 2018), the channel attention of
 * CBAM (Woo et al., ECCV 2018) and ECA (Wang et al., CVPR 2020). Subclasses compute the gate.
 */
public abstract class ChannelGate extends Module {

    /**
     * The gate of every channel.
     *
     * @param x the input {@code [N, C, H, W]}
     * @return {@code [N, C]}, each value in (0, 1)
     */
    protected abstract NDArray gate(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params);

    @Override
    protected final NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        Shape s = x.getShape();
        return new NDList(x.mul(gate(ps, x, training, params).reshape(s.get(0), s.get(1), 1, 1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
