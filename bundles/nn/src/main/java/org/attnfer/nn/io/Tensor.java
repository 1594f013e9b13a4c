package org.attnfer.nn.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order, independent of any engine.
 *
 * @param shape the dimensions
 * @param data the values; its length is the product of the dimensions
 */
public record Tensor(long[] shape, float[] data) {

    /** Checks that shape and data agree. */
    public Tensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
    }

    /** Copies an array's values. */
    public static Tensor of(NDArray array) {
        NDArray f = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        return new Tensor(array.getShape().getShape(), f.toFloatArray());
    }

    /** An array with these values on {@code manager}. */
    public NDArray toArray(NDManager manager) {
        return manager.create(data, new Shape(shape));
    }

    /** The largest absolute difference to another tensor of the same shape. */
    public double maxAbsDiff(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(
                    "shapes differ: " + Arrays.toString(shape) + " vs " + Arrays.toString(other.shape));
        }
        double max = 0;
        for (int i = 0; i < data.length; i++) {
            double d = Math.abs((double) data[i] - other.data[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
