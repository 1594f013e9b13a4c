package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;

/** The projection shortcut: {@code 0} a 1×1 convolution with the block's stride, {@code 1} BatchNorm. */
public final class Downsample extends Module {

    private final Conv2d conv;
    private final BatchNorm bn;

    /** Creates the shortcut from {@code in} to {@code out} channels. */
    public Downsample(int in, int out, int stride) {
        conv = child("0", Conv2d.builder(in, out).stride(stride).bias(false).build());
        bn = child("1", new BatchNorm(out));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(Inserted.NONE.between(conv, bn, false, ps, in.singletonOrThrow(), training, params));
    }
}
