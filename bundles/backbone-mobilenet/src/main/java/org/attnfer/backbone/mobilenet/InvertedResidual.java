package org.attnfer.backbone.mobilenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Sequential;

/**
 * MobileNetV2's inverted residual block, named as torchvision's ({@code conv.0} the 1×1 expansion
 * when the factor is not 1, then the 3×3 depthwise convolution, the 1×1 linear projection and its
 * BatchNorm), with modules after the depthwise convolution ({@link HookNames#AFTER_CONV2}) and
 * after the projection's BatchNorm ({@link HookNames#AFTER_BN3}).
 */
public final class InvertedResidual extends Module {

    private final ConvBnAct expand;
    private final ConvBnAct depthwise;
    private final Chain afterDepthwise;
    private final Conv2d project;
    private final BatchNorm projectBn;
    private final Chain beforeResidual;
    private final boolean residual;

    /**
     * @param in input channels
     * @param out output channels
     * @param stride 1 or 2, of the depthwise convolution
     * @param expansion the expansion factor {@code t}
     * @param stage the stage (1 to 4), for hook sites
     * @param index the block's index in its stage
     * @param path the block's parameter-key path ({@code features.3})
     * @param insertions the modules to place at the hooks
     */
    public InvertedResidual(
            int in, int out, int stride, int expansion, int stage, int index, String path, Insertions insertions) {
        int hidden = Math.round(in * (float) expansion);
        Sequential conv = child("conv", new Sequential());
        expand = expansion == 1
                ? null
                : conv.add(new ConvBnAct(Conv2d.builder(in, hidden).bias(false).build(), hidden));
        depthwise = conv.add(new ConvBnAct(
                Conv2d.builder(hidden, hidden)
                        .kernel(3)
                        .stride(stride)
                        .padding(1)
                        .groups(hidden)
                        .bias(false)
                        .build(),
                hidden));
        project = conv.add(Conv2d.builder(hidden, out).bias(false).build());
        projectBn = conv.add(new BatchNorm(out));
        afterDepthwise = chain(
                insertions.insert(Site.insert(HookNames.AFTER_CONV2, stage, index, hidden, path)),
                Insert::name,
                Insert::block);
        beforeResidual = chain(
                insertions.insert(Site.insert(HookNames.AFTER_BN3, stage, index, out, path)),
                Insert::name,
                Insert::block);
        residual = stride == 1 && in == out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        NDArray y = expand == null ? x : run(expand, ps, x, training, params);
        y = depthwise.through(ps, y, afterDepthwise, training, params);
        y = project.thenBatchNorm(projectBn, false, ps, y, training, params);
        y = beforeResidual.apply(ps, y, training, params);
        return new NDList(residual ? y.add(x) : y);
    }
}
