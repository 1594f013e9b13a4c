package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Observers of a forward pass. A tap travels in the {@code params} argument of DJL's forward and
 * sees every child called through {@link Module#run} and every {@link Module#point}. It may return
 * a different value (a Grad-CAM probe adds a zero leaf whose gradient is the gradient of the
 * layer's output).
 */
public final class Taps {

    /** The key of the taps in DJL's forward {@code params}. */
    public static final String KEY = "attnfer.taps";

    /** What a tap does. Both methods default to passing values through. */
    public interface Listener {

        /** Called after a child block has run. */
        default NDList afterBlock(Block block, NDList input, NDList output) {
            return output;
        }

        /** Called at a named point of the data flow. */
        default NDArray atPoint(String name, NDArray value) {
            return value;
        }
    }

    private final NDManager parameterManager;
    private final Listener listener;
    private final boolean shapesOnly;

    private Taps(NDManager parameterManager, Listener listener, boolean shapesOnly) {
        this.parameterManager = parameterManager;
        this.listener = listener;
        this.shapesOnly = shapesOnly;
    }

    /** Forward params that carry a listener. */
    public static PairList<String, Object> with(Listener listener) {
        return params(new Taps(null, listener, false));
    }

    /**
     * Forward params that carry a listener interested only in shapes: layers may skip their
     * arithmetic and return zeros of the right shape.
     */
    static PairList<String, Object> shapesWith(Listener listener) {
        return params(new Taps(null, listener, true));
    }

    /** Forward params used while initialising: children allocate their parameters on {@code manager}. */
    static PairList<String, Object> initializing(NDManager manager) {
        return params(new Taps(manager, null, true));
    }

    private static PairList<String, Object> params(Taps taps) {
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, taps);
        return params;
    }

    /** Whether the forward of {@code params} only needs shapes: the initialising one, or a trace. */
    static boolean shapesOnly(PairList<String, Object> params) {
        Taps taps = of(params);
        return taps != null && taps.shapesOnly;
    }

    /** The taps travelling in {@code params}, or {@code null}. */
    public static Taps of(PairList<String, Object> params) {
        return params == null ? null : (Taps) params.get(KEY);
    }

    static NDManager parameterManager(PairList<String, Object> params, ParameterStore store) {
        Taps taps = of(params);
        return taps != null && taps.parameterManager != null ? taps.parameterManager : store.getManager();
    }

    NDList afterBlock(Block block, NDList input, NDList output) {
        return listener == null ? output : listener.afterBlock(block, input, output);
    }

    NDArray atPoint(String name, NDArray value) {
        return listener == null ? value : listener.atPoint(name, value);
    }
}
