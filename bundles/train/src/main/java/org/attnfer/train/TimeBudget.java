package org.attnfer.train;

import java.util.List;

/**
 * A training time budget ({@code training.minutes}): how many epochs fit, judged once, when the
 * warm-up is over (and at least one epoch has run), from the epochs' own seconds. The schedule
 * then anneals over that count, so a budgeted run ends with a fully decayed learning rate rather
 * than being cut mid-schedule (Li et al., "Budgeted Training", ICLR 2020). Only epochs count:
 * time a run spent stopped or before a resume does not.
 */
final class TimeBudget {

    private TimeBudget() {}

    /** The epoch after which the count is fixed: the end of the warm-up, at least the first. */
    static int decisionEpoch(TrainingConfig config) {
        return Math.max(1, (int) Math.ceil(config.warmupEpochs()));
    }

    /**
     * The number of epochs that fit: those run so far and as many more as the remaining budget
     * holds at the pace of the last one, never more than {@code maxEpochs}.
     *
     * @param seconds the seconds of every epoch run so far, in order (at least one)
     */
    static int epochs(double budgetSeconds, List<Double> seconds, int maxEpochs) {
        double spent = seconds.stream().mapToDouble(Double::doubleValue).sum();
        double pace = seconds.get(seconds.size() - 1);
        if (pace <= 0) {
            return maxEpochs;
        }
        long more = (long) Math.floor(Math.max(0, budgetSeconds - spent) / pace);
        return (int) Math.min(maxEpochs, seconds.size() + more);
    }
}
