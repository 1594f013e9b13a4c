package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code nn.Sequential}: children named {@code 0}, {@code 1}, ... applied in order. A
 * network that needs to reach between them (to insert modules) holds one for the names and calls
 * {@link #get} itself.
 */
public final class Sequential extends Module {

    private final List<Block> blocks = new ArrayList<>();

    /** Appends a block under the next index and returns it. */
    public <B extends Block> B add(B block) {
        blocks.add(child(Integer.toString(blocks.size()), block));
        return block;
    }

    /** The block at an index. */
    public Block get(int index) {
        return blocks.get(index);
    }

    /** The number of blocks. */
    public int size() {
        return blocks.size();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        for (Block b : blocks) {
            x = run(b, store, x, training, params);
        }
        return new NDList(x);
    }
}
