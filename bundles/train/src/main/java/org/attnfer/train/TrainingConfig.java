package org.attnfer.train;

/**
 * How to train.
 *
 * @param epochs passes over the training data
 * @param batchSize items per step
 * @param optimizer {@code sgd}
 * @param lr the learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param workers data-loading threads
 */
public record TrainingConfig(int epochs, int batchSize, String optimizer, double lr, double momentum, double weightDecay, int workers) {

    /** Checks the values. */
    public TrainingConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be ≥ 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size must be ≥ 1, got " + batchSize);
        }
        if (!optimizer.equals("sgd")) {
            throw new IllegalArgumentException("optimizer must be sgd, got " + optimizer);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight_decay must be ≥ 0, got " + weightDecay);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be ≥ 1, got " + workers);
        }
    }
}
