package org.attnfer.backbone.convnext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.LayerNorm;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Module;

/**
 * torchvision's ConvNeXt {@code classifier} on the pooled features {@code [N,C]}: {@code 0}
 * LayerNorm, {@code 2} the linear layer (index 1 is the parameter-free flatten).
 */
final class Head extends Module {

    private final LayerNorm norm;
    private final Linear fc;

    Head(int channels, int classes) {
        norm = child("0", new LayerNorm(channels, ConvNeXt.EPS, LayerNorm.Layout.CHANNELS_LAST));
        fc = child("2", new Linear(channels, classes, true));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = run(norm, ps, in.singletonOrThrow(), training, params);
        return new NDList(run(fc, ps, x, training, params));
    }
}
