package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Blocks applied one after the other at one place of a network (the modules a backbone inserts at
 * a hook), registered as children of their owner under unique names.
 */
public final class Chain {

    /** No blocks: the identity. */
    public static final Chain NONE = new Chain(List.<Block>of(), b -> "", b -> b, Map.of(), (name, block) -> block);

    private final List<Block> blocks = new ArrayList<>();

    /**
     * Adds the blocks as children of their owner, naming each uniquely within it ({@code simam},
     * then {@code simam_1} if the owner already has one).
     *
     * @param items what to chain, in order (such as the API's inserts)
     * @param name the name an item asks for
     * @param block an item's block
     * @param owner the owner's current children
     * @param addChild the owner's way to add a child
     */
    public <T> Chain(
            List<T> items,
            Function<T, String> name,
            Function<T, Block> block,
            Map<String, Block> owner,
            BiFunction<String, Block, Block> addChild) {
        for (T item : items) {
            String unique = name.apply(item);
            for (int k = 1; owner.containsKey(unique); k++) {
                unique = name.apply(item) + "_" + k;
            }
            blocks.add(addChild.apply(unique, block.apply(item)));
        }
    }

    /** Whether there is no block. */
    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** {@code x} through every block in order. */
    public NDArray apply(ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        for (Block b : blocks) {
            x = Module.run(b, store, x, training, params);
        }
        return x;
    }
}
