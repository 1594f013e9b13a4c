package org.attnfer.report;

import java.util.List;

/**
 * A comparison table of an experiment: some variants against a baseline.
 *
 * @param name its caption ({@code Table 1: SC and CA})
 * @param baseline the variant the others are compared with
 * @param variants its rows, baseline first
 */
public record TableSpec(String name, String baseline, List<String> variants) {

    /** Copies the list. */
    public TableSpec {
        variants = List.copyOf(variants);
    }
}
