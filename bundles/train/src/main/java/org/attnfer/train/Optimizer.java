package org.attnfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attnfer.nn.io.Tensor;

/**
 * Updates parameters in place from their gradients, then clears the gradients. Its state (moment
 * buffers, step counts) is saved in checkpoints by name, so that a resumed run continues exactly.
 *
 * <p>Updates run with autograd off. DJL attaches the result of an operation to the manager of its
 * first operand, so every expression here starts with an array of the step's manager (a gradient
 * or a constant): starting with a weight or a buffer would leave a weight-sized array on the
 * model's manager at every step.
 */
public abstract sealed class Optimizer permits Optimizer.Sgd, Optimizer.AdamW {

    /** Moment buffers by {@code parameter/slot}, on the model's manager. */
    protected final Map<String, NDArray> state = new LinkedHashMap<>();

    private final double weightDecay;
    private final boolean decayNormAndBias;

    Optimizer(double weightDecay, boolean decayNormAndBias) {
        this.weightDecay = weightDecay;
        this.decayNormAndBias = decayNormAndBias;
    }

    /** The optimiser of a configuration. */
    public static Optimizer of(TrainingConfig c) {
        return c.optimizer().equals("adamw")
                ? new AdamW(c.momentum(), 0.999, 1e-8, c.weightDecay(), c.decayNormAndBias())
                : new Sgd(c.momentum(), c.nesterov(), c.weightDecay(), c.decayNormAndBias());
    }

    /**
     * One step over every trainable parameter that has a gradient.
     *
     * @param params the parameters by name
     * @param lr the learning rate of this step
     * @param step a manager for this step's temporaries
     */
    public void step(Map<String, Parameter> params, double lr, NDManager step) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            g.attach(step);
            // weight decay skips BatchNorm parameters and biases (1-D) unless told otherwise
            double decay = decayNormAndBias || w.getShape().dimension() > 1 ? weightDecay : 0;
            update(e.getKey(), w, g, lr, decay, step);
            g.subi(g);
        }
    }

    abstract void update(String name, NDArray w, NDArray g, double lr, double decay, NDManager step);

    /** The state buffer {@code name/slot}, zero on first use. */
    protected NDArray buffer(String name, String slot, NDArray like) {
        return state.computeIfAbsent(name + "/" + slot, k -> like.zerosLike());
    }

    /** The state for a checkpoint. */
    public Map<String, Tensor> export() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, Tensor.of(v)));
        return out;
    }

    /** Restores state from a checkpoint; buffers are created on {@code manager}. */
    public void restore(Map<String, Tensor> saved, NDManager manager) {
        state.values().forEach(NDArray::close);
        state.clear();
        saved.forEach((k, t) -> state.put(k, t.toArray(manager)));
    }

    /** SGD with momentum (PyTorch's form: {@code buf = μ·buf + g}), optionally Nesterov, L2 weight decay. */
    public static final class Sgd extends Optimizer {
        private final double momentum;
        private final boolean nesterov;

        Sgd(double momentum, boolean nesterov, double weightDecay, boolean decayNormAndBias) {
            super(weightDecay, decayNormAndBias);
            this.momentum = momentum;
            this.nesterov = nesterov;
        }

        @Override
        void update(String name, NDArray w, NDArray g, double lr, double decay, NDManager step) {
            NDArray d = decay > 0 ? g.add(step.create((float) decay).mul(w)) : g;
            if (momentum > 0) {
                NDArray buf = buffer(name, "momentum", w);
                NDArray mu = step.create((float) momentum);
                buf.muli(mu).addi(d);
                d = nesterov ? d.add(mu.mul(buf)) : buf;
            }
            w.subi(step.create((float) lr).mul(d));
        }
    }

    /** AdamW (Loshchilov and Hutter, ICLR 2019): Adam with bias correction and decoupled weight decay. */
    public static final class AdamW extends Optimizer {
        private final double beta1;
        private final double beta2;
        private final double eps;

        AdamW(double beta1, double beta2, double eps, double weightDecay, boolean decayNormAndBias) {
            super(weightDecay, decayNormAndBias);
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
        }

        @Override
        void update(String name, NDArray w, NDArray g, double lr, double decay, NDManager step) {
            NDArray count = state.computeIfAbsent(name + "/step", k -> w.getManager().zeros(new ai.djl.ndarray.types.Shape(1)));
            count.addi(step.create(1f));
            double t = count.getFloat(0);
            NDArray m = buffer(name, "m", w);
            NDArray v = buffer(name, "v", w);
            m.muli(step.create((float) beta1)).addi(g.mul(step.create((float) (1 - beta1))));
            v.muli(step.create((float) beta2)).addi(g.square().mul(step.create((float) (1 - beta2))));
            if (decay > 0) {
                w.muli(step.create((float) (1 - lr * decay)));
            }
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            NDArray denom = step.create((float) (1 / c2)).mul(v).sqrt().add(step.create((float) eps));
            w.subi(step.create((float) (lr / c1)).mul(m).div(denom));
        }
    }
}
