package org.attnfer.nn.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/** libtorch's switch for recording operations for autograd, which DJL's engine-neutral API does not expose. */
public final class GradMode {

    private GradMode() {}

    /** Whether operations on this thread are recorded for a backward pass (in training and in Grad-CAM). */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }

    /** Runs {@code body} with recording on or off, and restores the previous state after. */
    public static <T> T with(boolean recording, Supplier<T> body) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(recording);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /**
     * Back-propagates {@code gradient} from {@code y} into the {@code .grad} of the leaves that
     * require gradients, without a gradient collector (there is one collector at a time, and a
     * training step may hold it).
     */
    public static void backward(NDArray y, NDArray gradient) {
        JniUtils.backward((PtNDArray) y, (PtNDArray) gradient, false, false);
    }
}
