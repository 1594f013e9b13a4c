package org.attnfer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.BFloat16;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.Module;
import org.attnfer.nn.Precision;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.Taps;
import org.attnfer.nn.io.Tensor;

/**
 * The checks every module passes: output shapes on odd and non-square inputs, gradient flow to
 * every trainable parameter, an input gradient equal to central differences, a save/load round
 * trip, and training-mode behaviour (BatchNorm statistics move in training; eval mode is
 * deterministic).
 */
public final class ModuleChecks {

    private ModuleChecks() {}

    /** Runs a fresh block on random input in eval mode and returns the output shape. */
    public static Shape outputShape(Block block, Shape input) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(input);
            NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            assertThat(y.isNaN().any().getBoolean())
                    .as("NaN in output for input %s", input)
                    .isFalse();
            return y.getShape();
        }
    }

    /** The whole network's row of {@link ModelStats#trace}: parameters and multiply-accumulates for one image. */
    public static ModelStats.Layer costs(Block block, Shape image) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(image));
            return ModelStats.trace(block, image).get(0);
        }
    }

    /**
     * Runs a fresh network once in eval mode and records the shape at every named point ({@link
     * Module#point}), in order.
     */
    public static Map<String, Shape> points(Block block, Shape input) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            Map<String, Shape> points = new LinkedHashMap<>();
            NDArray y = block.forward(
                            new ParameterStore(manager, false),
                            new NDList(manager.randomNormal(input)),
                            false,
                            Taps.with(new Taps.Listener() {
                                @Override
                                public NDArray atPoint(String name, NDArray value) {
                                    points.put(name, value.getShape());
                                    return value;
                                }
                            }))
                    .singletonOrThrow();
            assertThat(y.getShape().get(0)).isEqualTo(input.get(0));
            return points;
        }
    }

    /**
     * Runs one backward pass in training mode and checks that the input and every trainable
     * parameter receive a non-zero gradient.
     */
    public static void gradientFlow(Block block, Shape input) {
        backward(block, input, true, Precision.FLOAT32);
    }

    /**
     * Runs one backward pass in training mode and checks that the input receives a non-zero
     * gradient and every trainable parameter a finite one: for composed networks, where a module
     * at a narrow place may legitimately get none (one hidden unit behind a ReLU, a bias before a
     * BatchNorm).
     */
    public static void backwardFinite(Block block, Shape input) {
        backward(block, input, false, Precision.FLOAT32);
    }

    /**
     * {@link #backwardFinite} in {@link Precision#BFLOAT16} training, with the input cast as the
     * trainer casts it, and the output still bfloat16: no layer on the way, this module's
     * included, fell back to float32 activations.
     */
    public static void backwardFiniteInBfloat16(Block block, Shape input) {
        backward(block, input, false, Precision.BFLOAT16);
    }

    private static void backward(Block block, Shape input, boolean everyParameter, Precision precision) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(input);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(
                                new ParameterStore(manager, false),
                                new NDList(precision.input(x)),
                                true,
                                precision.params())
                        .singletonOrThrow();
                assertThat(BFloat16.holds(y)).as("bfloat16 output").isEqualTo(precision == Precision.BFLOAT16);
                NDArray probe = manager.randomNormal(y.getShape());
                gc.backward(BFloat16.toFloat32(y).mul(probe).sum());
            }
            assertThat(x.getGradient().abs().max().getFloat())
                    .as("gradient of the input")
                    .isGreaterThan(0f);
            for (Map.Entry<String, Parameter> e : StateDict.parameters(block).entrySet()) {
                Parameter p = e.getValue();
                if (!p.requiresGradient()) {
                    continue;
                }
                NDArray g = p.getArray().getGradient();
                float peak = g.abs().max().getFloat();
                assertThat(Float.isFinite(peak))
                        .as("gradient of %s is finite", e.getKey())
                        .isTrue();
                if (everyParameter) {
                    assertThat(peak).as("gradient of %s", e.getKey()).isGreaterThan(0f);
                }
            }
        }
    }

    /**
     * Compares the input gradient of a training forward with central differences of the same
     * forward at twelve elements spread over the input, in float64 so that a step of 1e-6 is
     * exact to about 1e-9: catches a detached term or a wrong hand-written piece of a forward,
     * which {@link #gradientFlow} does not. Inputs and the loss weights are fixed, not random.
     */
    public static void inputGradient(Block block, Shape input) {
        // fixed initial weights: with random ones a ReLU kink or a max-pool tie lands within a step now and then
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT64, input);
            double[] x0 = new double[(int) input.size()];
            for (int i = 0; i < x0.length; i++) {
                x0[i] = 2 * Math.sin(1.7 * i);
            }
            NDArray x = manager.create(x0, input);
            x.setRequiresGradient(true);
            NDArray weights;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), true)
                        .singletonOrThrow();
                double[] w = new double[(int) y.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = Math.cos(0.37 * i);
                }
                weights = manager.create(w, y.getShape());
                gc.backward(y.mul(weights).sum());
            }
            double[] grad = x.getGradient().toDoubleArray();
            double h = 1e-6;
            for (int k = 0; k < 12; k++) {
                int i = (int) ((long) k * (x0.length - 1) / 11);
                double[] up = x0.clone();
                double[] down = x0.clone();
                up[i] += h;
                down[i] -= h;
                double numeric = (loss(block, manager, up, input, weights) - loss(block, manager, down, input, weights))
                        / (2 * h);
                assertThat(grad[i])
                        .as("∂loss/∂x[%d] of %s", i, input)
                        .isCloseTo(numeric, within(1e-6 * (1 + Math.abs(numeric))));
            }
        }
    }

    private static double loss(Block block, NDManager manager, double[] x, Shape input, NDArray weights) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray y = block.forward(new ParameterStore(scratch, false), new NDList(scratch.create(x, input)), true)
                    .singletonOrThrow();
            return y.mul(weights).sum().getDouble();
        }
    }

    /**
     * Saves a trained-looking block's parameters with DJL's format, loads them into a fresh block
     * and compares outputs; also round-trips the state dict by name.
     */
    public static void saveLoadRoundTrip(Supplier<Block> factory, Shape input) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block a = factory.get();
            a.initialize(manager, DataType.FLOAT32, input);
            // move every value off its initialisation so that a forgotten parameter or buffer shows
            for (Parameter p : StateDict.parameters(a).values()) {
                NDArray moved = p.requiresGradient()
                        ? p.getArray().add(manager.randomUniform(-0.05f, 0.05f, p.getShape()))
                        : manager.randomUniform(0.5f, 1.5f, p.getShape());
                p.getArray().set(moved.toFloatArray());
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveParameters(new DataOutputStream(bytes));
            Block b = factory.get();
            b.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDArray x = manager.randomNormal(input);
            assertThat(outputs(a, x).maxAbsDiff(outputs(b, x)))
                    .as("DJL save/load")
                    .isEqualTo(0.0);

            Block c = factory.get();
            c.initialize(manager, DataType.FLOAT32, input);
            StateDict.load(c, StateDict.export(a), true);
            assertThat(outputs(a, x).maxAbsDiff(outputs(c, x)))
                    .as("state-dict round trip")
                    .isEqualTo(0.0);
        }
    }

    /**
     * Checks training mode: with BatchNorm inside, a training forward moves running statistics;
     * two eval forwards agree exactly.
     *
     * @param hasBatchNorm whether the block contains BatchNorm layers
     */
    public static void trainingMode(Block block, Shape input, boolean hasBatchNorm) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(2f, 3f, input, DataType.FLOAT32);
            Map<String, Tensor> before = StateDict.export(block);
            Tensor e1 = outputs(block, x);
            Tensor e2 = outputs(block, x);
            assertThat(e1.maxAbsDiff(e2)).as("eval mode is deterministic").isEqualTo(0.0);
            assertThat(StateDict.export(block))
                    .as("eval mode leaves buffers alone")
                    .isEqualTo(before);
            try (NDManager scratch = manager.newSubManager()) {
                block.forward(new ParameterStore(scratch, false), new NDList(x), true);
            }
            boolean moved = false;
            for (Map.Entry<String, Tensor> e : StateDict.export(block).entrySet()) {
                if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                    moved |= !e.getValue().equals(before.get(e.getKey()));
                }
            }
            assertThat(moved)
                    .as("BatchNorm statistics updated in training mode")
                    .isEqualTo(hasBatchNorm);
        }
    }

    /** The block's own attention maps: at least one, batch first, finite. */
    public static void attentionMaps(Block block, Shape input) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            Map<String, NDArray> maps = ((AttentionMaps) block)
                    .attentionMaps(new ParameterStore(manager, false), manager.randomNormal(input));
            assertThat(maps).as("attention maps").isNotEmpty();
            maps.forEach((name, map) -> {
                assertThat(map.isNaN().any().getBoolean()
                                || map.isInfinite().any().getBoolean())
                        .as("map %s is finite", name)
                        .isFalse();
                assertThat(map.getShape().get(0) == input.get(0)
                                || map.getShape().size() == 1)
                        .as("map %s is per sample or a scalar", name)
                        .isTrue();
            });
        }
    }

    private static Tensor outputs(Block block, NDArray x) {
        try (NDManager scratch = x.getManager().newSubManager()) {
            NDArray y = block.forward(new ParameterStore(scratch, false), new NDList(x), false)
                    .singletonOrThrow();
            return Tensor.of(y);
        }
    }
}
