package org.attnfer.train;

import java.util.Locale;

/**
 * One epoch's figures.
 *
 * @param epoch 1-based
 * @param trainLoss mean training cross-entropy
 * @param trainAccuracy training accuracy (in training mode, as the batches went)
 * @param valLoss mean validation cross-entropy
 * @param valAccuracy validation accuracy
 * @param valMacroF1 validation macro-F1
 * @param lr the learning rate used
 * @param seconds wall time of the epoch, validation included
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double valLoss,
        double valAccuracy,
        double valMacroF1,
        double lr,
        double seconds) {

    /** The CSV header of {@link #csv()}. */
    public static final String CSV_HEADER =
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,seconds";

    /** Reads a line written by {@link #csv()}. */
    public static EpochResult parse(String line) {
        String[] f = line.strip().split(",", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("not an epoch line: " + line);
        }
        return new EpochResult(
                Integer.parseInt(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5]),
                Double.parseDouble(f[6]),
                Double.parseDouble(f[7]));
    }

    /** One line with every digit, for checkpoints (read by {@link #parse}). */
    public String exact() {
        return epoch + "," + trainLoss + "," + trainAccuracy + "," + valLoss + "," + valAccuracy + "," + valMacroF1
                + "," + lr + "," + seconds;
    }

    /** One CSV line. */
    public String csv() {
        return String.format(
                Locale.ROOT,
                "%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f",
                epoch,
                trainLoss,
                trainAccuracy,
                valLoss,
                valAccuracy,
                valMacroF1,
                lr,
                seconds);
    }
}
