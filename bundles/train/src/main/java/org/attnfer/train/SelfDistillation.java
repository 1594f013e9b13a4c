package org.attnfer.train;

import java.util.Map;
import org.attnfer.api.data.Dataset;
import org.attnfer.nn.io.Tensor;

/**
 * Progressive self-knowledge distillation (Kim, Ji, Yoo, Kim and Kim, <i>Self-Knowledge
 * Distillation with Progressive Refinement of Targets</i>, ICCV 2021): the target of a training
 * item in epoch {@code t} of {@code T} is its label blended with the model's own softmax on it in
 * the epoch before, {@code q = (1 − α_t)·y + α_t·p_{t−1}}, {@code α_t = α_T·t/T}. The model is
 * its own teacher, so it costs no extra forward pass: only the last prediction of every training
 * item is kept, and an item not yet predicted has its label as that prediction.
 */
final class SelfDistillation {

    private static final String KEY = "predictions";

    private final double finalWeight;
    private final int classes;
    /** {@code [dataset size, classes]}: each training item's latest prediction, by dataset index. */
    private final float[] memory;

    /**
     * @param finalWeight α_T, the weight of the past predictions in the last epoch
     * @param data the dataset, whose labels start the memory
     * @param train the training items
     */
    SelfDistillation(double finalWeight, Dataset data, int[] train) {
        this.finalWeight = finalWeight;
        this.classes = data.classes().size();
        this.memory = new float[data.size() * classes];
        for (int i : train) {
            memory[i * classes + data.label(i)] = 1f;
        }
    }

    /** The blend weight α_t of epoch {@code epoch} (from 1) of {@code epochs}. */
    double weight(int epoch, int epochs) {
        return finalWeight * epoch / epochs;
    }

    /** The soft targets of a batch in an epoch: the items' latest predictions with the epoch's weight. */
    TrainStep.SoftTargets targets(int[] indices, int epoch, int epochs) {
        float[] p = new float[indices.length * classes];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(memory, indices[i] * classes, p, i * classes, classes);
        }
        return new TrainStep.SoftTargets(p, weight(epoch, epochs));
    }

    /** Keeps a batch's predictions ({@code [items, classes]}) for the next epoch. */
    void remember(int[] indices, float[] probabilities) {
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(probabilities, i * classes, memory, indices[i] * classes, classes);
        }
    }

    /** The memory for a checkpoint. */
    Map<String, Tensor> export() {
        return Map.of(KEY, new Tensor(new long[] {memory.length / classes, classes}, memory.clone()));
    }

    /** Restores the memory of a checkpoint; one written without it leaves the labels in place. */
    void restore(Map<String, Tensor> saved) {
        Tensor t = saved.get(KEY);
        if (t != null) {
            if (t.data().length != memory.length) {
                throw new IllegalArgumentException("the checkpoint's self-distillation targets hold " + t.data().length
                        + " values, the dataset needs " + memory.length);
            }
            System.arraycopy(t.data(), 0, memory, 0, memory.length);
        }
    }
}
