package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.api.Insertions;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Conv2d;

/**
 * torchvision's bottleneck (ResNet50/101): 1×1, 3×3 with the stride, 1×1 to 4·planes, with hooks
 * after {@code conv2}, in place of {@code conv2}, and after {@code bn3}.
 */
public final class Bottleneck extends ResidualBlock {

    /** Output channels per plane. */
    public static final int EXPANSION = 4;

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Block conv2;
    private final Inserted afterConv2;
    private final BatchNorm bn2;
    private final Conv2d conv3;
    private final BatchNorm bn3;
    private final Inserted afterBn3;

    /**
     * Creates the block.
     *
     * @param in input channels
     * @param planes width; the output has {@code 4·planes} channels
     * @param stride 1 or 2
     * @param stage the stage (1 to 4), for hook sites
     * @param index the block's index in its stage
     * @param insertions the modules to place at the hooks
     */
    public Bottleneck(int in, int planes, int stride, int stage, int index, Insertions insertions) {
        super(in, planes * EXPANSION, stride, stage, index);
        int out = planes * EXPANSION;
        conv1 = child("conv1", Conv2d.builder(in, planes).bias(false).build());
        bn1 = child("bn1", new BatchNorm(planes));
        conv2 = child("conv2", conv2(insertions, planes, stride));
        afterConv2 = inserted(insertions, Hooks.AFTER_CONV2, planes);
        bn2 = child("bn2", new BatchNorm(planes));
        conv3 = child("conv3", Conv2d.builder(planes, out).bias(false).build());
        bn3 = child("bn3", new BatchNorm(out));
        afterBn3 = inserted(insertions, Hooks.AFTER_BN3, out);
        addShortcut();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        NDArray y = Inserted.NONE.between(conv1, bn1, true, ps, x, training, params);
        y = afterConv2.between(conv2, bn2, true, ps, y, training, params);
        y = afterBn3.apply(ps, Inserted.NONE.between(conv3, bn3, false, ps, y, training, params), training, params);
        return merge(y, x, ps, training, params);
    }
}
