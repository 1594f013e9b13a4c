package org.attnfer.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/** The initialisations of the PyTorch reference, for training from scratch. */
public final class Init {

    /** Kaiming-normal, fan-out, ReLU gain: torchvision's ResNet convolutions. */
    public static final Initializer KAIMING_NORMAL_FAN_OUT =
            new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2);

    /** Ones (BatchNorm weight, running variance). */
    public static final Initializer ONES = Initializer.ONES;

    /** Zeros (BatchNorm bias, running mean). */
    public static final Initializer ZEROS = Initializer.ZEROS;

    private Init() {}

    /**
     * PyTorch's default for linear and convolution layers: uniform in ±1/√fan_in, where fan_in is
     * the input size times the kernel area.
     */
    public static Initializer uniformFanIn(long fanIn) {
        float bound = (float) (1.0 / Math.sqrt((double) fanIn));
        return (manager, shape, dataType) -> manager.randomUniform(-bound, bound, shape, dataType);
    }

    /** A constant. */
    public static Initializer constant(float value) {
        return (manager, shape, dataType) -> manager.full(shape, value, dataType);
    }

    /** The fan-in of a weight {@code [out, in, k...]}. */
    static long fanIn(Shape weight) {
        return weight.size() / weight.get(0);
    }
}
