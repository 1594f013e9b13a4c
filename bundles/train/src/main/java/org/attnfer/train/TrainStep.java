package org.attnfer.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.attnfer.data.InputSpec;
import org.attnfer.nn.BFloat16;
import org.attnfer.nn.Draws;
import org.attnfer.nn.Precision;
import org.attnfer.nn.StateDict;

/**
 * One optimisation step on one batch: mixing (mixup, CutMix) if configured, forward in training
 * mode at the configured precision, loss (against soft targets if given), backward, optional
 * gradient clipping, in-place optimiser update, all in a manager of its own. The training loop and
 * the benchmark run exactly this.
 */
public final class TrainStep {

    /**
     * What a step measured.
     *
     * @param loss the batch's mean loss
     * @param correct how many items the forward pass classified right
     * @param probabilities the forward pass's softmax, {@code [items, classes]}, when the step had
     *     soft targets (for the next ones); otherwise {@code null}
     */
    public record Result(double loss, int correct, float[] probabilities) {}

    /**
     * Soft targets blended into a batch's labels, such as self-distillation's.
     *
     * @param probabilities {@code [items, classes]}
     * @param weight their weight α in {@code (1−α)·label + α·probabilities}
     */
    public record SoftTargets(float[] probabilities, double weight) {}

    private final Model model;
    private final ParameterStore store;
    private final Map<String, Parameter> params;
    private final Optimizer optimizer;
    private final CrossEntropy loss;
    private final double clipNorm;
    private final BatchMix mix;
    private final Precision precision;
    private final PairList<String, Object> forwardParams;
    private ToDoubleFunction<String> multipliers = name -> 1;

    /**
     * @param model an initialised model
     * @param config the optimiser, loss and clipping settings
     * @param classWeights per-class loss weights, or {@code null}
     */
    public TrainStep(Model model, TrainingConfig config, float[] classWeights) {
        this.model = model;
        this.store = new ParameterStore(model.getNDManager(), false);
        this.params = StateDict.parameters(model.getBlock());
        this.optimizer = Optimizer.of(config);
        this.loss = new CrossEntropy(config.labelSmoothing(), classWeights);
        this.clipNorm = config.clipNorm();
        this.mix = config.mix();
        this.precision = config.precision();
        this.forwardParams = precision.params();
    }

    /** Sets the learning-rate multiplier of every parameter by name (0 freezes it) for the steps to come. */
    public void multipliers(ToDoubleFunction<String> byName) {
        multipliers = byName;
    }

    /** The optimiser, whose state goes into checkpoints. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Runs the step.
     *
     * @param data the batch, {@code [n, C, H, W]} values; mixing (if configured) changes it in place
     * @param labels the classes
     * @param soft soft targets to blend into the labels, or {@code null}
     * @param lr the learning rate of this step
     * @param draws this step's generator, for mixing and for the network's dropout masks ({@link Draws})
     * @return the loss (not finite when training diverged: no update is made then) and the hits
     */
    public Result run(float[] data, int[] labels, SoftTargets soft, InputSpec input, double lr, Random draws) {
        if (soft != null && mix.active()) {
            throw new IllegalArgumentException("soft targets do not combine with mixed batches");
        }
        BatchMix.Mixed mixed = mix.apply(data, labels.length, input, draws);
        try (NDManager step = model.getNDManager().newSubManager()) {
            NDArray x = step.create(data, new Shape(labels.length, input.channels(), input.size(), input.size()));
            NDArray target = step.create(longs(labels, null));
            NDArray partnerTarget = mixed == null ? target : step.create(longs(labels, mixed.partner()));
            float value;
            int correct;
            float[] probabilities = null;
            Optimizer.Group gradients;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // the loss and its softmax in float32, whatever the network computes in
                NDArray logits = BFloat16.toFloat32(model.getBlock()
                        .forward(store, new NDList(precision.input(x)), true, Draws.with(forwardParams, draws))
                        .singletonOrThrow());
                NDArray l;
                if (soft != null) {
                    NDArray p = step.create(soft.probabilities(), logits.getShape());
                    l = loss.distilled(logits, target, p, soft.weight(), step);
                } else {
                    l = mixed == null
                            ? loss.evaluate(logits, target, step)
                            : loss.evaluate(logits, target, partnerTarget, mixed.lambda(), step);
                }
                value = l.getFloat();
                if (!Float.isFinite(value)) {
                    return new Result(value, 0, null);
                }
                gradients = Optimizer.gradients(params, l, step);
                // a mixed item counts as right when the prediction is its heavier label
                NDArray dominant = mixed == null || mixed.ownLabelDominates() ? target : partnerTarget;
                correct = (int) logits.argMax(1).eq(dominant).sum().getLong();
                if (soft != null) {
                    probabilities = logits.softmax(1).toFloatArray();
                }
            }
            if (clipNorm > 0) {
                Optimizer.clip(gradients, clipNorm);
            }
            optimizer.step(gradients, lr, multipliers, step);
            return new Result(value, correct, probabilities);
        }
    }

    /** The labels as int64, each item's own or, with {@code order}, its partner's. */
    private static long[] longs(int[] labels, int[] order) {
        long[] y = new long[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[order == null ? i : order[i]];
        }
        return y;
    }
}
