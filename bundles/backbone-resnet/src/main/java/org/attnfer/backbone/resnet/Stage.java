package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.attnfer.api.Insertions;
import org.attnfer.nn.Module;

/** A stage ({@code layerS}): its blocks named {@code 0}, {@code 1}, ... */
public final class Stage extends Module {

    private final List<Block> blocks = new ArrayList<>();

    /**
     * Creates stage {@code s} of a variant.
     *
     * @param variant the depth
     * @param s the stage, 1 to 4
     * @param in the input channels
     * @param base the stem's channels, which set every stage's width (64 in the paper)
     * @param insertions the modules to place at the blocks' hooks
     */
    public Stage(Variant variant, int s, int in, int base, Insertions insertions) {
        int planes = Variant.planes(s, base);
        for (int i = 0; i < variant.blocks(s); i++) {
            int stride = i == 0 && s > 1 ? 2 : 1;
            int blockIn = i == 0 ? in : variant.channels(s, base);
            Block b = variant.bottleneck()
                    ? new Bottleneck(blockIn, planes, stride, s, i, insertions)
                    : new BasicBlock(blockIn, planes, stride, s, i, insertions);
            blocks.add(child(Integer.toString(i), b));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        for (Block b : blocks) {
            x = run(b, ps, x, training, params);
        }
        return new NDList(x);
    }
}
