package org.attnfer.sampling.sc.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.Module;

/**
 * Space-to-depth with block 2 in the channel order of YOLOv5's Focus layer, as SPD-Conv uses it:
 * {@code y[g·C + c, i, j] = x[c, 2i + dy, 2j + dx]} for {@code (dy, dx) = (0,0), (1,0), (0,1),
 * (1,1)}. Odd sizes are zero-padded at the bottom and right first. This order is neither
 * PyTorch's {@code PixelUnshuffle} nor TensorFlow's {@code space_to_depth}.
 */
final class SpaceToDepth extends Module {

    private static final int[][] OFFSETS = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};

    /** The rearrangement. */
    static NDArray apply(NDArray x) {
        Shape s = x.getShape();
        long h = s.get(2);
        long w = s.get(3);
        if (h % 2 == 1 || w % 2 == 1) {
            // one zero row at the bottom, one zero column on the right; the pad keeps x's type
            x = x.pad(new Shape(0, w % 2, 0, h % 2), 0);
            h += h % 2;
            w += w % 2;
        }
        NDList groups = new NDList();
        for (int[] o : OFFSETS) {
            groups.add(x.get(new NDIndex().addAllDim(2).addSliceDim(o[0], h, 2).addSliceDim(o[1], w, 2)));
        }
        return NDArrays.concat(groups, 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(in.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), 4 * s.get(1), (s.get(2) + 1) / 2, (s.get(3) + 1) / 2)};
    }
}
