package org.attnfer.train;

/**
 * The learning rate at a point of training: linear warm-up from 0, then constant, cosine
 * annealing to {@code min_lr}, step decay, or decay on plateaus (the factor comes from the
 * trainer).
 */
final class Schedule {

    private final TrainingConfig config;
    private final int epochs;

    /** A schedule over {@code epochs}: the configured count, or the one a time budget fixed. */
    Schedule(TrainingConfig config, int epochs) {
        this.config = config;
        this.epochs = epochs;
    }

    /**
     * @param t training progress in epochs (2.5 is the middle of the third epoch)
     * @param plateauFactor the product of the plateau decays so far
     */
    double lr(double t, double plateauFactor) {
        double peak = config.lr();
        double w = config.warmupEpochs();
        if (t < w) {
            return peak * (t + 1e-3) / w;
        }
        return switch (config.schedule()) {
            case COSINE -> {
                double p = (t - w) / Math.max(1e-9, epochs - w);
                yield config.minLr() + (peak - config.minLr()) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
            }
            case STEP -> peak * Math.pow(config.gamma(), Math.floor(t / config.stepEpochs()));
            case PLATEAU -> peak * plateauFactor;
            case CONSTANT -> peak;
        };
    }
}
