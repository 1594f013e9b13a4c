package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Base class of AttnFER blocks.
 *
 * <p>Children and parameters carry the names of the PyTorch reference ({@code conv1}, {@code
 * weight}, {@code running_mean}), so a block's state dict reads like the reference's. Parameter
 * shapes are fixed at construction, as in PyTorch; {@link #initialize} therefore needs no shape
 * inference: it runs one forward pass on zeros, during which every child initialises itself from
 * the input it actually receives.
 *
 * <p>Subclasses implement {@link #forwardInternal} as in DJL and call their children through
 * {@link #run}, which makes every child observable by {@link Taps} (features, Grad-CAM probes,
 * cost counting) without the child knowing.
 */
public abstract class Module extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Map<String, Block> named = new LinkedHashMap<>();
    private boolean initialized;

    /** Creates an empty module. */
    protected Module() {
        super(VERSION);
    }

    /**
     * Adds a child under its reference name.
     *
     * @param name the PyTorch name ({@code conv1}, {@code 0}, {@code downsample})
     * @param block the child
     * @return the child
     */
    protected final <B extends Block> B child(String name, B block) {
        if (named.putIfAbsent(name, block) != null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a child " + name);
        }
        return addChildBlock(name, block);
    }

    /**
     * Registers blocks as children under unique names and chains them (the modules a backbone
     * inserts at one place).
     *
     * @param items what to chain, in order (such as the API's inserts)
     * @param name the name an item asks for
     * @param block an item's block
     */
    protected final <T> Chain chain(List<T> items, Function<T, String> name, Function<T, Block> block) {
        return new Chain(items, name, block, namedChildren(), this::child);
    }

    /**
     * Adds a trainable parameter of a fixed shape.
     *
     * @param name the PyTorch name ({@code weight})
     * @param type the DJL type (decides the optimiser's treatment, e.g. of weight decay)
     * @param shape the shape
     * @param init how it is initialised for training
     * @return the parameter
     */
    protected final Parameter param(String name, Parameter.Type type, Shape shape, Initializer init) {
        return addParameter(Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optInitializer(init)
                .build());
    }

    /** Adds a buffer: a non-trainable parameter such as BatchNorm's running statistics. */
    protected final Parameter buffer(String name, Parameter.Type type, Shape shape, Initializer init) {
        return addParameter(Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optInitializer(init)
                .optRequiresGrad(false)
                .build());
    }

    /**
     * DJL asks this on every training forward of every block, and its answer walks all parameters
     * of the subtree; once true it stays true until {@link #clear()}.
     */
    @Override
    public boolean isInitialized() {
        if (!initialized) {
            initialized = super.isInitialized();
        }
        return initialized;
    }

    @Override
    public void clear() {
        initialized = false;
        super.clear();
    }

    /**
     * A container its parent reaches into (torchvision's {@code features}, whose blocks a network
     * runs one by one to apply modules between them) never receives an input of its own, so it has
     * no input shapes to save.
     */
    @Override
    protected void saveInputShapes(DataOutputStream os) throws IOException {
        if (inputShapes == null) {
            os.writeInt(0);
            return;
        }
        super.saveInputShapes(os);
    }

    /** The children by reference name, in registration order. */
    public final Map<String, Block> namedChildren() {
        return Collections.unmodifiableMap(named);
    }

    /**
     * Calls a child: initialises it on first use, forwards, and lets active {@link Taps} observe or
     * modify its output.
     */
    public static NDList run(
            Block child, ParameterStore store, NDList input, boolean training, PairList<String, Object> params) {
        if (!child.isInitialized()) {
            // parameters take the input's type: float32 in training, float64 in gradient checks
            child.initialize(Taps.parameterManager(params, store), input.head().getDataType(), input.getShapes());
        }
        NDList output;
        try {
            output = child.forward(store, input, training, params);
        } catch (BlockException e) {
            throw e;
        } catch (RuntimeException e) {
            // the innermost block that failed is named once, whatever the nesting
            throw new BlockException(child, e);
        }
        Taps taps = Taps.of(params);
        return taps == null ? output : taps.afterBlock(child, input, output);
    }

    /** {@link #run(Block, ParameterStore, NDList, boolean, PairList)} for one array. */
    public static NDArray run(
            Block child, ParameterStore store, NDArray input, boolean training, PairList<String, Object> params) {
        return run(child, store, new NDList(input), training, params).singletonOrThrow();
    }

    /**
     * Marks a named point of the data flow that is not a block's output ({@code stem}, {@code
     * pool}), so that taps can read or probe it.
     */
    public static NDArray point(String name, NDArray value, PairList<String, Object> params) {
        Taps taps = Taps.of(params);
        return taps == null ? value : taps.atPoint(name, value);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (named.isEmpty() && getChildren().isEmpty()) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDList zeros = new NDList();
            for (Shape shape : inputShapes) {
                zeros.add(scratch.zeros(shape, dataType));
            }
            forwardInternal(new ParameterStore(scratch, false), zeros, false, Taps.initializing(manager));
        }
    }

    /**
     * Output shapes by a forward pass on zeros in eval mode; leaf layers override this with the
     * closed form. Requires an initialised block.
     */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (!isInitialized()) {
            throw new IllegalStateException(getClass().getSimpleName() + " must be initialised first");
        }
        NDManager owner = getParameters().values().isEmpty()
                ? null
                : getParameters().values().get(0).getArray().getManager();
        try (NDManager scratch = owner != null ? owner.newSubManager() : NDManager.newBaseManager()) {
            NDList zeros = new NDList();
            for (Shape shape : inputShapes) {
                zeros.add(scratch.zeros(shape));
            }
            return forwardInternal(new ParameterStore(scratch, false), zeros, false, null)
                    .getShapes();
        }
    }
}
