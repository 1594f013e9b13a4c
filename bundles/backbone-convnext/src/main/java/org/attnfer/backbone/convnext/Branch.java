package org.attnfer.backbone.convnext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.LayerNorm;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * The residual branch of a ConvNeXt block, torchvision's {@code block}: {@code 0} the 7×7
 * depthwise convolution, {@code 2} LayerNorm, {@code 3} the 1×1 expansion to 4C as a linear layer
 * over channels-last maps, GELU, {@code 5} the projection back to C (indices 1, 4 and 6 are
 * torchvision's parameter-free permutes and GELU). Modules inserted by the block run after the
 * depthwise convolution and at the end.
 */
final class Branch extends Module {

    private final Conv2d depthwise;
    private final LayerNorm norm;
    private final Linear expand;
    private final Linear project;
    private final Chain afterDepthwise;
    private final Chain atEnd;

    Branch(int channels, Chain afterDepthwise, Chain atEnd) {
        depthwise = child(
                "0",
                Conv2d.builder(channels, channels)
                        .kernel(7)
                        .padding(3)
                        .groups(channels)
                        .build());
        norm = child("2", new LayerNorm(channels, ConvNeXt.EPS, LayerNorm.Layout.CHANNELS_LAST));
        expand = child("3", new Linear(channels, 4 * channels, true));
        project = child("5", new Linear(4 * channels, channels, true));
        this.afterDepthwise = afterDepthwise;
        this.atEnd = atEnd;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray y = run(depthwise, ps, in.singletonOrThrow(), training, params);
        y = afterDepthwise.apply(ps, y, training, params).transpose(0, 2, 3, 1);
        y = run(norm, ps, y, training, params);
        y = Ops.gelu(run(expand, ps, y, training, params));
        y = run(project, ps, y, training, params).transpose(0, 3, 1, 2);
        return new NDList(atEnd.apply(ps, y, training, params));
    }
}
