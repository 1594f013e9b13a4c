package org.attnfer.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.data.InputSpec;
import org.attnfer.nn.StateDict;

/**
 * One optimisation step on one batch: forward in training mode, loss, backward, optional gradient
 * clipping, in-place optimiser update, all in a manager of its own. The training loop and the
 * benchmark run exactly this.
 */
public final class TrainStep {

    /**
     * What a step measured.
     *
     * @param loss the batch's mean loss
     * @param correct how many items the forward pass classified right
     */
    public record Result(double loss, int correct) {}

    private final Model model;
    private final ParameterStore store;
    private final Map<String, Parameter> params;
    private final Optimizer optimizer;
    private final CrossEntropy loss;
    private final double clipNorm;

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
    }

    /** The optimiser, whose state goes into checkpoints. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Runs the step.
     *
     * @param data the batch, {@code [n, C, H, W]} values
     * @param labels the classes
     * @param lr the learning rate of this step
     * @return the loss (not finite when training diverged: no update is made then) and the hits
     */
    public Result run(float[] data, int[] labels, InputSpec input, double lr) {
        try (NDManager step = model.getNDManager().newSubManager()) {
            NDArray x = step.create(data, new Shape(labels.length, input.channels(), input.size(), input.size()));
            long[] y = new long[labels.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = labels[i];
            }
            NDArray target = step.create(y);
            float value;
            int correct;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.getBlock().forward(store, new NDList(x), true).singletonOrThrow();
                NDArray l = loss.evaluate(logits, target, step);
                value = l.getFloat();
                if (!Float.isFinite(value)) {
                    return new Result(value, 0);
                }
                gc.backward(l);
                correct = (int) logits.argMax(1).eq(target).sum().getLong();
            }
            if (clipNorm > 0) {
                clip(step);
            }
            optimizer.step(params, lr, step);
            return new Result(value, correct);
        }
    }

    /** Scales all gradients down together when their global norm exceeds the limit. */
    private void clip(NDManager step) {
        List<NDArray> grads = new ArrayList<>();
        for (Parameter p : params.values()) {
            if (p.requiresGradient()) {
                NDArray g = p.getArray().getGradient();
                g.attach(step);
                grads.add(g);
            }
        }
        NDList squares = new NDList();
        grads.forEach(g -> squares.add(g.square().sum()));
        double norm = Math.sqrt(NDArrays.stack(squares).sum().getFloat());
        if (norm > clipNorm) {
            NDArray factor = step.create((float) (clipNorm / (norm + 1e-6)));
            grads.forEach(g -> g.muli(factor));
        }
    }
}
