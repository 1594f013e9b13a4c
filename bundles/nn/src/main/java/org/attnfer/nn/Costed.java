package org.attnfer.nn;

import ai.djl.ndarray.types.Shape;

/**
 * A block that performs multiply-accumulates of its own (not counting its children), under the
 * counting rule of the project's module specification: convolutions and linear maps count, and so
 * do attention products; biases, normalisation, activations, pooling and element-wise gating do
 * not.
 */
public interface Costed {

    /**
     * The block's own multiply-accumulates for one call.
     *
     * @param input the input shapes of the call, batch first
     * @param output the output shapes of the call
     * @return the count for the whole batch
     */
    long macs(Shape[] input, Shape[] output);
}
