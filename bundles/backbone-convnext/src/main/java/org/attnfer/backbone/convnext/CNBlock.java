package org.attnfer.backbone.convnext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.BFloat16;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Init;
import org.attnfer.nn.Module;
import org.attnfer.nn.StochasticDepth;

/**
 * torchvision's {@code CNBlock}: {@code x + drop(layer_scale · block(x))}, with modules after the
 * depthwise convolution ({@link HookNames#AFTER_CONV2}) and after the last pointwise layer, before
 * the layer scale ({@link HookNames#AFTER_BN3}: the end of the branch, where ResNet's last
 * BatchNorm is).
 */
public final class CNBlock extends Module {

    /** torchvision's initial layer scale. */
    static final float LAYER_SCALE = 1e-6f;

    private final Branch branch;
    private final Parameter layerScale;
    private final StochasticDepth drop;

    /**
     * @param channels the block's channels
     * @param dropProbability the stochastic depth of this block (0 to switch it off)
     * @param stage the stage (1 to 4), for hook sites
     * @param index the block's index in its stage
     * @param path the block's parameter-key path ({@code features.3.1})
     * @param insertions the modules to place at the hooks
     */
    public CNBlock(int channels, double dropProbability, int stage, int index, String path, Insertions insertions) {
        layerScale = param("layer_scale", Parameter.Type.WEIGHT, new Shape(channels, 1, 1), Init.constant(LAYER_SCALE));
        Chain afterDepthwise = chain(
                insertions.insert(Site.insert(HookNames.AFTER_CONV2, stage, index, channels, path)),
                Insert::name,
                Insert::block);
        Chain atEnd = chain(
                insertions.insert(Site.insert(HookNames.AFTER_BN3, stage, index, channels, path)),
                Insert::name,
                Insert::block);
        branch = child("block", new Branch(channels, afterDepthwise, atEnd));
        drop = new StochasticDepth(dropProbability);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        NDArray y = run(branch, ps, x, training, params);
        y = y.mul(BFloat16.like(ps.getValue(layerScale, x.getDevice(), training), y));
        return new NDList(drop.apply(y, training, params).add(x));
    }
}
