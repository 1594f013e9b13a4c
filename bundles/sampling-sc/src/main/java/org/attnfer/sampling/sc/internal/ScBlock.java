package org.attnfer.sampling.sc.internal;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/** The stand-alone SC block: space-to-depth, k×k convolution ({@code conv}), BatchNorm ({@code bn}), ReLU. */
final class ScBlock extends Module {

    private final SpdConv conv;
    private final BatchNorm bn;

    ScBlock(int inChannels, int outChannels, int kernel) {
        conv = child("conv", new SpdConv(inChannels, outChannels, kernel));
        bn = child("bn", new BatchNorm(outChannels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(
                Ops.relu(run(bn, ps, run(conv, ps, in.singletonOrThrow(), training, params), training, params)));
    }
}
