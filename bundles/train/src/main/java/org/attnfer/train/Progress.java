package org.attnfer.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line per epoch: a bar with images per second, loss and time left, redrawn in place
 * on a terminal; on anything else (a log file, CI) a plain line every tenth of the epoch.
 */
final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private int lastTenth = -1;

    Progress(PrintStream out, boolean terminal, String label, int total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
    }

    void update(int done, double loss) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long eta = Math.round((total - done) / Math.max(rate, 1e-9));
        String text = String.format(
                Locale.ROOT,
                "%s %3d%% %s %5.0f img/s loss %.4f ETA %d:%02d",
                label,
                100 * done / total,
                bar(done),
                rate,
                loss,
                eta / 60,
                eta % 60);
        if (terminal) {
            out.print("\r" + text);
            out.flush();
        } else {
            int tenth = 10 * done / total;
            if (tenth != lastTenth && (tenth % 5 == 0 || done == total)) {
                lastTenth = tenth;
                out.println(text);
            }
        }
    }

    void finish(String summary) {
        out.println((terminal ? "\r\033[2K" : "") + label + " " + summary);
        out.flush();
    }

    private String bar(int done) {
        int width = 20;
        int filled = width * done / total;
        return "[" + "=".repeat(filled) + " ".repeat(width - filled) + "]";
    }
}
