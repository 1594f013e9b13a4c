package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * What the bottleneck and the basic block share: the hook sites inside a block, the optional
 * projection shortcut and the final {@code ReLU(branch + shortcut)}.
 */
public abstract class ResidualBlock extends Module {

    /** The shortcut, or {@code null} for the identity. */
    protected final Downsample downsample;
    /** The block's parameter-key path ({@code layer2.0}). */
    protected final String path;

    private final int stage;
    private final int index;

    /**
     * @param in input channels
     * @param out output channels
     * @param stride the block's stride
     * @param stage 1 to 4
     * @param index the block's index within its stage
     */
    protected ResidualBlock(int in, int out, int stride, int stage, int index) {
        this.stage = stage;
        this.index = index;
        this.path = "layer" + stage + "." + index;
        this.downsample = stride != 1 || in != out ? new Downsample(in, out, stride) : null;
    }

    /** Registers the shortcut last, as torchvision does; call at the end of the constructor. */
    protected final void addShortcut() {
        if (downsample != null) {
            child("downsample", downsample);
        }
    }

    /** The 3×3 {@code conv2}, or the module that replaces it at {@link Hooks#CONV2}. */
    protected final Block conv2(Insertions insertions, int width, int stride) {
        Site site = new Site(Hooks.CONV2, stage, index, width, width, stride, path);
        return insertions
                .replace(site)
                .orElseGet(() -> Conv2d.builder(width, width)
                        .kernel(3)
                        .stride(stride)
                        .padding(1)
                        .bias(false)
                        .build());
    }

    /** The modules inserted at a hook of this block, registered as children. */
    protected final Inserted inserted(Insertions insertions, String hook, int channels) {
        return new Inserted(
                insertions.insert(Site.insert(hook, stage, index, channels, path)), namedChildren(), this::child);
    }

    /** {@code ReLU(branch + shortcut(x))}. */
    protected final NDList merge(
            NDArray branch, NDArray x, ParameterStore ps, boolean training, PairList<String, Object> params) {
        NDArray shortcut = downsample == null ? x : run(downsample, ps, x, training, params);
        return new NDList(Ops.reluInPlace(branch.add(shortcut)));
    }
}
