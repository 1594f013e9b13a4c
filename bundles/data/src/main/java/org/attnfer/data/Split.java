package org.attnfer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.attnfer.api.data.Dataset;

/**
 * A division of a dataset's indices into training and validation.
 *
 * @param train training indices, ascending
 * @param validation validation indices, ascending
 */
public record Split(int[] train, int[] validation) {

    /**
     * A stratified split: within every class, a seeded shuffle and then the first {@code
     * round(n·fraction)} items go to validation (at least one when the class has two or more).
     *
     * @param dataset the data
     * @param fraction the validation share, in [0, 1)
     * @param seed the shuffle seed; the same seed gives the same split
     */
    public static Split stratified(Dataset dataset, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < dataset.classes().size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < dataset.size(); i++) {
            byClass.get(dataset.label(i)).add(i);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        Random random = new Random(seed);
        for (List<Integer> items : byClass) {
            Collections.shuffle(items, random);
            int n = (int) Math.round(items.size() * fraction);
            if (fraction > 0 && n == 0 && items.size() >= 2) {
                n = 1;
            }
            validation.addAll(items.subList(0, n));
            train.addAll(items.subList(n, items.size()));
        }
        return new Split(sorted(train), sorted(validation));
    }

    private static int[] sorted(List<Integer> list) {
        int[] a = list.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
