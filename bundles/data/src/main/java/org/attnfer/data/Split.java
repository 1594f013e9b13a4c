package org.attnfer.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;

/**
 * A division of a dataset's indices into training and validation.
 *
 * @param train training indices, ascending
 * @param validation validation indices, ascending
 * @param how how it was made, for logs ({@code stratified by class}, {@code by subject: 12 of 118 held out})
 */
public record Split(int[] train, int[] validation, String how) {

    /** How the validation items are chosen. */
    public enum By {
        /** By subject when the dataset knows every item's subject, else by item. */
        AUTO,
        /** Whole subjects (people) go to validation, so that no face is seen on both sides. */
        SUBJECT,
        /** Items, stratified by class. */
        ITEM
    }

    /**
     * A split of a dataset's items.
     *
     * @param dataset the data
     * @param fraction the validation share, in [0, 1)
     * @param seed the shuffle seed; the same seed gives the same split
     * @param by items or subjects
     */
    public static Split of(Dataset dataset, double fraction, long seed, By by) {
        boolean subjects =
                dataset.size() > 0 && IntStream.range(0, dataset.size()).allMatch(i -> dataset.subject(i) != null);
        if (by == By.SUBJECT && !subjects) {
            throw new IllegalArgumentException(
                    "split_by subject: " + dataset.describe() + " does not know its subjects");
        }
        return by == By.ITEM || !subjects ? stratified(dataset, fraction, seed) : bySubject(dataset, fraction, seed);
    }

    /**
     * A subject-independent split: subjects in seeded order go to validation until it holds {@code
     * round(n·fraction)} items; class shares follow only approximately.
     */
    public static Split bySubject(Dataset dataset, double fraction, long seed) {
        checkFraction(fraction);
        Map<String, List<Integer>> bySubject = new TreeMap<>();
        for (int i = 0; i < dataset.size(); i++) {
            bySubject
                    .computeIfAbsent(
                            Objects.requireNonNull(dataset.subject(i), "subject of item " + i), k -> new ArrayList<>())
                    .add(i);
        }
        if (fraction > 0 && bySubject.size() < 2) {
            throw new IllegalArgumentException(
                    "cannot split by subject: the data has only " + bySubject.size() + " subject");
        }
        List<String> order = new ArrayList<>(bySubject.keySet());
        Collections.shuffle(order, new Random(seed));
        long wanted = Math.round(dataset.size() * fraction);
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        int heldOut = 0;
        for (String subject : order) {
            boolean toValidation = validation.size() < wanted && heldOut < order.size() - 1;
            (toValidation ? validation : train).addAll(bySubject.get(subject));
            heldOut += toValidation ? 1 : 0;
        }
        return new Split(
                sorted(train),
                sorted(validation),
                "by subject: " + heldOut + " of " + order.size() + " subjects held out");
    }

    /** Training and validation as two datasets of the same classes, viewed as one with its split. */
    public record Joined(Dataset data, Split split) {}

    /**
     * Joins a training and a separate validation dataset (FER2013's Training and PublicTest).
     *
     * @throws IllegalArgumentException when their classes differ
     */
    public static Joined separate(Dataset train, Dataset validation) {
        if (!train.classes().equals(validation.classes())) {
            throw new IllegalArgumentException("the validation classes " + validation.classes()
                    + " differ from the training classes " + train.classes());
        }
        int n = train.size();
        Dataset both = new Dataset() {
            @Override
            public String describe() {
                return train.describe() + ", validated on " + validation.describe();
            }

            @Override
            public List<String> classes() {
                return train.classes();
            }

            @Override
            public int size() {
                return n + validation.size();
            }

            @Override
            public int label(int index) {
                return index < n ? train.label(index) : validation.label(index - n);
            }

            @Override
            public String subject(int index) {
                return index < n ? train.subject(index) : validation.subject(index - n);
            }

            @Override
            public String fingerprint() {
                return train.fingerprint() == null || validation.fingerprint() == null
                        ? null
                        : train.fingerprint() + "+" + validation.fingerprint();
            }

            @Override
            public Sample get(int index) throws IOException {
                return index < n ? train.get(index) : validation.get(index - n);
            }
        };
        return new Joined(
                both,
                new Split(
                        IntStream.range(0, n).toArray(),
                        IntStream.range(n, both.size()).toArray(),
                        "a separate validation set"));
    }

    /**
     * A stratified split: within every class, a seeded shuffle and then the first {@code
     * round(n·fraction)} items go to validation (at least one when the class has two or more).
     *
     * @param dataset the data
     * @param fraction the validation share, in [0, 1)
     * @param seed the shuffle seed; the same seed gives the same split
     */
    public static Split stratified(Dataset dataset, double fraction, long seed) {
        checkFraction(fraction);
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
        return new Split(sorted(train), sorted(validation), "stratified by class");
    }

    private static void checkFraction(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
    }

    private static int[] sorted(List<Integer> list) {
        int[] a = list.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
