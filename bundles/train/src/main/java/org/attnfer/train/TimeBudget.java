package org.attnfer.train;

import java.util.List;

/**
 * A training time budget ({@code training.minutes}): how many epochs fit, judged when the warm-up
 * is over (and at least one epoch has run) from the epochs' own seconds, and judged again after
 * every later epoch, when the count can only shrink. The schedule then anneals over that count,
 * so a budgeted run ends with a fully decayed learning rate rather than being cut mid-schedule
 * (Li et al., "Budgeted Training", ICLR 2020). Only epochs count: time a run spent stopped or
 * before a resume does not.
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
        return Math.min(maxEpochs, fit(budgetSeconds, seconds, seconds.get(seconds.size() - 1), maxEpochs));
    }

    /**
     * The count after an epoch past the decision: {@code count}, or fewer where the epochs left no
     * longer fit at the median pace of the epochs since the decision. Machines drift: on a shared
     * host the pace of one epoch at the decision would have overrun a 90-minute budget by about a
     * sixth. The median keeps single slow epochs from shrinking it, and the count never grows, so
     * a faster stretch does not lengthen the run.
     *
     * @param seconds the seconds of every epoch run so far, in order (past {@code decisionEpoch})
     */
    static int refit(double budgetSeconds, List<Double> seconds, int decisionEpoch, int count) {
        double[] since = seconds.subList(decisionEpoch - 1, seconds.size()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = since.length;
        double median = n % 2 == 1 ? since[n / 2] : (since[n / 2 - 1] + since[n / 2]) / 2;
        return Math.min(count, fit(budgetSeconds, seconds, median, count));
    }

    /** The epochs run and as many more as the rest of the budget holds at {@code pace}; a pace of 0 fits {@code unbounded}. */
    private static int fit(double budgetSeconds, List<Double> seconds, double pace, int unbounded) {
        if (pace <= 0) {
            return unbounded;
        }
        double spent = seconds.stream().mapToDouble(Double::doubleValue).sum();
        long more = (long) Math.floor(Math.max(0, budgetSeconds - spent) / pace);
        return (int) Math.min(Integer.MAX_VALUE, seconds.size() + more);
    }
}
