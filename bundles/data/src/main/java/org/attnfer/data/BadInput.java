package org.attnfer.data;

import java.util.ArrayList;
import java.util.List;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;

/**
 * What a dataset does with an item it cannot use (a corrupt image, a CSV row with the wrong pixel
 * count): {@code fail} stops with the item's name when the dataset is opened, {@code skip} leaves
 * it out, counts it and names the first few. Either way the problem shows before training starts,
 * never in the middle of an epoch.
 */
public final class BadInput {

    /** The {@code on_error} option every file-based dataset kind accepts. */
    public static final ParamSpec OPTION = ParamSpec.ofChoice(
            "on_error",
            List.of("fail", "skip"),
            "an unreadable image or bad row: fail naming it, or skip it (counted and reported)");

    private static final int NAMED = 3;

    private final boolean skip;
    private final List<String> examples = new ArrayList<>();
    private int count;

    private BadInput(boolean skip) {
        this.skip = skip;
    }

    /** The policy of validated options holding {@link #OPTION}. */
    public static BadInput of(Params options) {
        return new BadInput(options.getString(OPTION.name()).equals("skip"));
    }

    /**
     * Records a bad item: throws under {@code fail}, counts it under {@code skip}.
     *
     * @param problem the item and what is wrong with it ({@code data/sad/x.png: not an image})
     */
    public synchronized void report(String problem) {
        if (!skip) {
            throw new IllegalArgumentException(problem + " (set on_error: skip to leave such items out)");
        }
        count++;
        if (examples.size() < NAMED) {
            examples.add(problem);
        }
    }

    /** Whether bad items are skipped rather than failing. */
    public boolean skips() {
        return skip;
    }

    /** The number of items skipped. */
    public synchronized int skipped() {
        return count;
    }

    /** {@code ""}, or {@code "; skipped 2 bad items: a.png: ..., b.png: ..."} for descriptions. */
    public synchronized String summary() {
        if (count == 0) {
            return "";
        }
        return "; skipped " + count + " bad item" + (count == 1 ? "" : "s") + ": " + String.join("; ", examples)
                + (count > examples.size() ? "; ..." : "");
    }
}
