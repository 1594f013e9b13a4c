package org.attnfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Softmax cross-entropy with label smoothing ({@code q = (1−ε)·onehot + ε/K}) and optional class
 * weights (the weighted mean, normalised by the weights of the batch, as in PyTorch). Constants
 * are arrays of the step's manager, alive until the backward pass.
 */
final class CrossEntropy {

    private final double smoothing;
    private final float[] weights;

    /**
     * @param smoothing ε
     * @param weights per-class weights, or {@code null}
     */
    CrossEntropy(double smoothing, float[] weights) {
        this.smoothing = smoothing;
        this.weights = weights;
    }

    /** Class weights inverse to frequency, {@code n / (K · n_c)}; absent classes weigh 0. */
    static float[] balanced(int[] counts) {
        long n = 0;
        for (int c : counts) {
            n += c;
        }
        float[] w = new float[counts.length];
        for (int c = 0; c < counts.length; c++) {
            w[c] = counts[c] == 0 ? 0f : (float) n / (counts.length * counts[c]);
        }
        return w;
    }

    /** The mean loss of a batch: logits {@code [B,K]}, labels {@code [B]} (int64). */
    NDArray evaluate(NDArray logits, NDArray labels, NDManager step) {
        return mean(logits.logSoftmax(1), labels, target(logits, labels, step), step);
    }

    /**
     * The mean loss against the labels' targets blended with soft ones, {@code (1−α)·q + α·p}
     * ({@link SelfDistillation}); the class weights still follow the labels.
     *
     * @param soft {@code [B,K]} probabilities
     * @param alpha α, the weight of {@code soft}
     */
    NDArray distilled(NDArray logits, NDArray labels, NDArray soft, double alpha, NDManager step) {
        NDArray target = target(logits, labels, step)
                .mul(step.create((float) (1 - alpha)))
                .add(soft.mul(step.create((float) alpha)));
        return mean(logits.logSoftmax(1), labels, target, step);
    }

    /** The labels' targets, one-hot or smoothed. */
    private NDArray target(NDArray logits, NDArray labels, NDManager step) {
        int k = (int) logits.getShape().get(1);
        NDArray target = labels.oneHot(k).toType(logits.getDataType(), false);
        if (smoothing > 0) {
            target = target.mul(step.create((float) (1 - smoothing))).add(step.create((float) (smoothing / k)));
        }
        return target;
    }

    private NDArray mean(NDArray logp, NDArray labels, NDArray target, NDManager step) {
        NDArray perItem = target.mul(logp).sum(new int[] {1}).neg();
        if (weights == null) {
            return perItem.mean();
        }
        NDArray w = step.create(weights).get(labels);
        return perItem.mul(w).sum().div(w.sum());
    }

    /** The loss of a mixed batch, {@code λ·CE(labels) + (1−λ)·CE(partnerLabels)}. */
    NDArray evaluate(NDArray logits, NDArray labels, NDArray partnerLabels, double lambda, NDManager step) {
        return evaluate(logits, labels, step)
                .mul(step.create((float) lambda))
                .add(evaluate(logits, partnerLabels, step).mul(step.create((float) (1 - lambda))));
    }
}
