package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.attnfer.api.Insert;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/** The modules inserted at one hook of one block, applied in order. */
final class Inserted {

    private final Chain chain;

    /**
     * Adds the inserts as children of their owner, under unique names.
     *
     * @param inserts the modules, in order
     * @param owner the owner's current children
     * @param addChild the owner's way to add a child
     */
    Inserted(List<Insert> inserts, Map<String, Block> owner, BiFunction<String, Block, Block> addChild) {
        chain = new Chain(inserts, Insert::name, Insert::block, owner, addChild);
    }

    /** No modules: for a convolution and batch norm with no hook between them. */
    static final Inserted NONE = new Inserted(List.of(), Map.of(), (name, block) -> block);

    /**
     * {@code conv}, then these modules, then {@code bn}, then a ReLU if asked. With no module in
     * between and a plain convolution, {@link Conv2d#thenBatchNorm} may fold them into one
     * prepacked convolution for inference.
     */
    NDArray between(
            Block conv,
            BatchNorm bn,
            boolean relu,
            ParameterStore store,
            NDArray x,
            boolean training,
            PairList<String, Object> params) {
        if (chain.isEmpty() && conv instanceof Conv2d plain) {
            return plain.thenBatchNorm(bn, relu, store, x, training, params);
        }
        NDArray y = Module.run(
                bn,
                store,
                apply(store, Module.run(conv, store, x, training, params), training, params),
                training,
                params);
        return relu ? Ops.relu(y) : y;
    }

    NDArray apply(ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        return chain.apply(store, x, training, params);
    }
}
