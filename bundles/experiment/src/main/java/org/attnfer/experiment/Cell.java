package org.attnfer.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cell of an experiment's grid: a variant trained with one seed. Cells are numbered from 0,
 * variant by variant in the order of the experiment (sweeps expanded in their declared order) and
 * seed by seed within a variant, so an index depends only on the experiment's variants and seeds:
 * not on which cells are done, on the machine, or on the order of {@code --set} flags.
 *
 * @param index the cell's place in the grid
 * @param variantIndex the variant's place in the experiment
 * @param variant the variant
 * @param seed the seed
 */
public record Cell(int index, int variantIndex, Variant variant, long seed) {

    /** The cells of an experiment, in index order. */
    public static List<Cell> of(Experiment e) {
        List<Cell> cells = new ArrayList<>();
        for (int v = 0; v < e.variants().size(); v++) {
            for (long seed : e.seeds()) {
                cells.add(new Cell(cells.size(), v, e.variants().get(v), seed));
            }
        }
        return List.copyOf(cells);
    }

    /** Its run folder under the experiment's output. */
    public Path dir(Experiment e) {
        return e.output().resolve(variant.folder()).resolve("seed-" + seed);
    }

    /** How messages name it: {@code ResNet50+CA seed 1}. */
    public String describe() {
        return variant.name() + " seed " + seed;
    }

    @Override
    public String toString() {
        return "cell " + index + " (" + describe() + ")";
    }
}
