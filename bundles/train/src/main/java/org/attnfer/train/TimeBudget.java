package org.attnfer.train;

import java.util.List;

/**
 * A training time budget ({@code training.minutes}): how many epochs fit, from the epochs' own
 * seconds, judged when the warm-up is over (and at least one epoch has run) and again after every
 * later epoch at the median pace since then. The schedule anneals over that count, so a budgeted
 * run ends with a fully decayed learning rate rather than being cut mid-schedule (Li et al.,
 * "Budgeted Training", ICLR 2020). Only epochs count: time a run spent stopped or before a resume
 * does not.
 */
final class TimeBudget {

    private TimeBudget() {}

    /** The epoch after which the count is first judged: the end of the warm-up, at least the first. */
    static int decisionEpoch(TrainingConfig config) {
        return Math.max(1, (int) Math.ceil(config.warmupEpochs()));
    }

    /**
     * The pace of the epochs from the decision on: their median. At the decision that is the last
     * epoch's seconds; later the median follows a machine whose speed drifts (a shared host's
     * epochs went from 38 s at the decision to 42–48 s) without letting one slow or fast epoch
     * move the count.
     *
     * @param seconds the seconds of every epoch run so far, in order (at least {@code decisionEpoch})
     */
    static double pace(List<Double> seconds, int decisionEpoch) {
        double[] since = seconds.subList(decisionEpoch - 1, seconds.size()).stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        int n = since.length;
        return n % 2 == 1 ? since[n / 2] : (since[n / 2 - 1] + since[n / 2]) / 2;
    }

    /**
     * The number of epochs that fit: those run so far and as many more as the remaining budget
     * holds at {@code pace}, never more than {@code maxEpochs}.
     *
     * @param seconds the seconds of every epoch run so far, in order (at least one)
     */
    static int epochs(double budgetSeconds, List<Double> seconds, double pace, int maxEpochs) {
        if (pace <= 0) {
            return maxEpochs;
        }
        double spent = seconds.stream().mapToDouble(Double::doubleValue).sum();
        long more = (long) Math.floor(Math.max(0, budgetSeconds - spent) / pace);
        return (int) Math.min(maxEpochs, seconds.size() + more);
    }
}
