package org.example.triplet.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Triplet attention (Misra, Nalamada, Arasanipalai, Hou, <i>Rotate to Attend: Convolutional
 * Triplet Attention Module</i>, WACV 2021): three gates on the input seen from three sides —
 * height × width, channels × width, height × channels — each pooling the remaining axis (max and
 * mean), then a k×k convolution, BatchNorm and a sigmoid; the output averages the three gated
 * inputs. It has no channel reduction, so its size does not depend on the channel count.
 */
final class TripletAttention extends AbstractBlock {

    private final Gate hw;
    private final Gate cw;
    private final Gate hc;

    TripletAttention(int kernel) {
        hw = addChildBlock("hw", new Gate(kernel));
        cw = addChildBlock("cw", new Gate(kernel));
        hc = addChildBlock("hc", new Gate(kernel));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = hw.gate(ps, x, training);
        // channels and height swapped: pooling runs over the height, the convolution over channels × width
        NDArray b = cw.gate(ps, x.transpose(0, 2, 1, 3), training).transpose(0, 2, 1, 3);
        NDArray c = hc.gate(ps, x.transpose(0, 3, 2, 1), training).transpose(0, 3, 2, 1);
        // a constant of x's manager: autograd may keep it until the backward pass
        return new NDList(a.add(b).add(c).mul(x.getManager().create(1f / 3)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        hw.initialize(manager, dataType, new Shape(s.get(0), 2, s.get(2), s.get(3)));
        cw.initialize(manager, dataType, new Shape(s.get(0), 2, s.get(1), s.get(3)));
        hc.initialize(manager, dataType, new Shape(s.get(0), 2, s.get(2), s.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    /** One side: Z-pool over axis 1, then convolution, BatchNorm and sigmoid gate the input. */
    static final class Gate extends AbstractBlock {
        private final Conv2d conv;
        private final BatchNorm bn;

        Gate(int kernel) {
            conv = addChildBlock(
                    "conv",
                    Conv2d.builder()
                            .setKernelShape(new Shape(kernel, kernel))
                            .optPadding(new Shape(kernel / 2, kernel / 2))
                            .setFilters(1)
                            .optBias(false)
                            .build());
            bn = addChildBlock("bn", BatchNorm.builder().build());
        }

        NDArray gate(ParameterStore ps, NDArray x, boolean training) {
            NDArray pooled = NDArrays.concat(new NDList(x.max(new int[] {1}, true), x.mean(new int[] {1}, true)), 1);
            NDArray g = bn.forward(ps, conv.forward(ps, new NDList(pooled), training), training)
                    .singletonOrThrow();
            return x.mul(Activation.sigmoid(g));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return new NDList(gate(ps, inputs.singletonOrThrow(), training));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            conv.initialize(manager, dataType, inputShapes);
            bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
