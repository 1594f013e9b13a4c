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
 * torchvision's basic block (ResNet18/34): two 3×3 convolutions, the first with the stride. Its
 * hooks: after {@code conv2}, in place of {@code conv2} (stride 1), after {@code bn2} (the block's
 * last BatchNorm, addressed as {@link Hooks#AFTER_BN3}).
 */
public final class BasicBlock extends ResidualBlock {

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Block conv2;
    private final Inserted afterConv2;
    private final BatchNorm bn2;
    private final Inserted afterBn;

    /**
     * Creates the block.
     *
     * @param in input channels
     * @param planes output channels
     * @param stride 1 or 2
     * @param stage the stage (1 to 4), for hook sites
     * @param index the block's index in its stage
     * @param insertions the modules to place at the hooks
     */
    public BasicBlock(int in, int planes, int stride, int stage, int index, Insertions insertions) {
        super(in, planes, stride, stage, index);
        conv1 = child(
                "conv1",
                Conv2d.builder(in, planes)
                        .kernel(3)
                        .stride(stride)
                        .padding(1)
                        .bias(false)
                        .build());
        bn1 = child("bn1", new BatchNorm(planes));
        conv2 = child("conv2", conv2(insertions, planes, 1));
        afterConv2 = inserted(insertions, Hooks.AFTER_CONV2, planes);
        bn2 = child("bn2", new BatchNorm(planes));
        afterBn = inserted(insertions, Hooks.AFTER_BN3, planes);
        addShortcut();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        NDArray y = Inserted.NONE.between(conv1, bn1, true, ps, x, training, params);
        y = afterBn.apply(ps, afterConv2.between(conv2, bn2, false, ps, y, training, params), training, params);
        return merge(y, x, ps, training, params);
    }
}
