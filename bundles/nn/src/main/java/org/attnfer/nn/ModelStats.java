package org.attnfer.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters, output shapes and multiply-accumulates per layer, measured by one traced forward
 * pass of a single image in eval mode.
 */
public final class ModelStats {

    /**
     * One layer of the tree.
     *
     * @param path the dotted name ({@code layer1.0.conv1}); {@code ""} for the whole model
     * @param depth the nesting depth (0 for the model)
     * @param type the block's class name
     * @param outputShape the output shape of its last call, batch 1, or {@code null} if it was not
     *     reached through a traced call
     * @param params trainable values in the subtree
     * @param macs multiply-accumulates in the subtree for one image
     */
    public record Layer(String path, int depth, String type, Shape outputShape, long params, long macs) {}

    private ModelStats() {}

    /**
     * Traces an initialised block on one zero image.
     *
     * @param root the block
     * @param input the shape of one input without the batch axis ({@code 3×48×48})
     * @return every layer, depth first, the model first
     */
    public static List<Layer> trace(Block root, Shape input) {
        IdentityHashMap<Block, Shape> outputs = new IdentityHashMap<>();
        IdentityHashMap<Block, Long> ownMacs = new IdentityHashMap<>();
        Shape batched = new Shape(1).addAll(input);
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDList x = new NDList(scratch.zeros(batched));
            NDList y = root.forward(new ParameterStore(scratch, false), x, false, Taps.shapesWith(new Taps.Listener() {
                @Override
                public NDList afterBlock(Block block, NDList in, NDList out) {
                    outputs.put(block, out.getShapes()[0]);
                    if (block instanceof Costed c) {
                        ownMacs.merge(block, c.macs(in.getShapes(), out.getShapes()), Long::sum);
                    }
                    return out;
                }
            }));
            outputs.put(root, y.getShapes()[0]);
            if (root instanceof Costed c) {
                ownMacs.merge(root, c.macs(x.getShapes(), y.getShapes()), Long::sum);
            }
        }
        List<Layer> layers = new ArrayList<>();
        Map<String, Block> blocks = StateDict.blocks(root);
        for (Map.Entry<String, Block> e : blocks.entrySet()) {
            String path = e.getKey();
            long params = 0;
            long macs = 0;
            for (Map.Entry<String, Block> d : blocks.entrySet()) {
                if (isWithin(d.getKey(), path)) {
                    macs += ownMacs.getOrDefault(d.getValue(), 0L);
                    for (Parameter p : d.getValue().getDirectParameters().values()) {
                        params += p.requiresGradient() ? p.getShape().size() : 0;
                    }
                }
            }
            int depth = path.isEmpty() ? 0 : path.split("\\.").length;
            layers.add(new Layer(
                    path, depth, e.getValue().getClass().getSimpleName(), outputs.get(e.getValue()), params, macs));
        }
        return layers;
    }

    private static boolean isWithin(String path, String ancestor) {
        return ancestor.isEmpty() || path.equals(ancestor) || path.startsWith(ancestor + ".");
    }
}
