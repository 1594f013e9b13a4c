package org.attnfer.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.PrintStream;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.Batch;
import org.attnfer.data.Batches;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.eval.Metrics;

/**
 * Trains a model on DJL with softmax cross-entropy: per epoch a seeded shuffle of the training
 * indices, steps on batches loaded off the training thread, then a validation pass in eval mode.
 * Every step works in its own NDManager so that memory stays flat.
 */
@Singleton
public class Trainer {

    private final PrintStream progress;
    private final boolean terminal;

    /** A trainer that draws progress on standard error. */
    @Inject
    public Trainer() {
        this(System.err, System.console() != null);
    }

    /**
     * @param progress where progress lines go
     * @param terminal whether that is a terminal (progress redrawn in place)
     */
    public Trainer(PrintStream progress, boolean terminal) {
        this.progress = progress;
        this.terminal = terminal;
    }

    /**
     * Initialises the model's block for training: the engine's random seed first, so that the same
     * seed gives the same initial weights.
     */
    public void initialize(Model model, InputSpec input, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, input.channels(), input.size(), input.size()));
    }

    /**
     * Trains an initialised model.
     *
     * @param model the model, its block initialised
     * @param data the dataset
     * @param split which items train and which validate
     * @param input the input layout
     * @param config the settings
     * @param seed the run's seed (shuffles and engine randomness)
     * @param listener receives every epoch's results
     * @throws TrainingException when the loss stops being finite
     */
    public void train(Model model, Dataset data, Split split, InputSpec input, TrainingConfig config, long seed, EpochListener listener)
            throws IOException {
        if (split.train().length == 0 || split.validation().length == 0) {
            throw new IllegalArgumentException("training needs items in both the training and the validation split ("
                    + split.train().length + " and " + split.validation().length + ")");
        }
        Engine.getInstance().setRandomSeed((int) seed);
        Optimizer optimizer = Optimizer.sgd()
                .setLearningRateTracker(Tracker.fixed((float) config.lr()))
                .optMomentum((float) config.momentum())
                .optWeightDecays((float) config.weightDecay())
                .build();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        try (ai.djl.training.Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer))) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                int[] order = Batches.shuffled(split.train(), seed * 1_000_003L + epoch);
                Progress bar = new Progress(progress, terminal, String.format("epoch %d/%d", epoch, config.epochs()), order.length);
                double lossSum = 0;
                int correct = 0;
                int seen = 0;
                try (Batches batches = new Batches(data, order, input, config.batchSize(), config.workers())) {
                    while (batches.hasNext()) {
                        Batch batch = batches.next();
                        try (NDManager step = trainer.getManager().newSubManager()) {
                            NDArray x = step.create(batch.data(), shape(batch, input));
                            NDArray y = step.create(longs(batch.labels()));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                                float value = l.getFloat();
                                if (!Float.isFinite(value)) {
                                    throw new TrainingException("the training loss became " + value + " in epoch " + epoch
                                            + " after " + seen + " items; lower the learning rate");
                                }
                                gc.backward(l);
                                lossSum += value * batch.size();
                                correct += (int) logits.argMax(1).eq(y).sum().getLong();
                            }
                            trainer.step();
                        }
                        seen += batch.size();
                        bar.update(seen, lossSum / seen);
                    }
                }
                Predictions val = predict(model, data, split.validation(), input, config.batchSize(), config.workers());
                Metrics m = val.metrics(data.classes());
                EpochResult result = new EpochResult(epoch, lossSum / seen, (double) correct / seen, val.loss(), m.accuracy(), m.macroF1(),
                        config.lr(), (System.nanoTime() - start) / 1e9);
                bar.finish(String.format(java.util.Locale.ROOT, "train loss %.4f acc %.4f | val loss %.4f acc %.4f macro-F1 %.4f | %.1f s",
                        result.trainLoss(), result.trainAccuracy(), result.valLoss(), result.valAccuracy(), result.valMacroF1(), result.seconds()));
                listener.epoch(result, val);
            }
        }
    }

    /**
     * Runs a model in eval mode on some items.
     *
     * @return the predictions, in the order of {@code indices}
     */
    public Predictions predict(Model model, Dataset data, int[] indices, InputSpec input, int batchSize, int workers) {
        int n = indices.length;
        int[] actual = new int[n];
        int[] predicted = new int[n];
        float[][] probabilities = new float[n][];
        double lossSum = 0;
        int k = 0;
        try (Batches batches = new Batches(data, indices, input, batchSize, workers);
                NDManager scratch = model.getNDManager().newSubManager()) {
            ParameterStore store = new ParameterStore(scratch, false);
            while (batches.hasNext()) {
                Batch batch = batches.next();
                try (NDManager step = scratch.newSubManager()) {
                    NDArray logits = model.getBlock().forward(store, new NDList(step.create(batch.data(), shape(batch, input))), false)
                            .singletonOrThrow();
                    NDArray logp = logits.logSoftmax(1);
                    float[] lp = logp.toFloatArray();
                    int classes = (int) logits.getShape().get(1);
                    for (int i = 0; i < batch.size(); i++, k++) {
                        float[] p = new float[classes];
                        int best = 0;
                        for (int c = 0; c < classes; c++) {
                            p[c] = (float) Math.exp(lp[i * classes + c]);
                            best = p[c] > p[best] ? c : best;
                        }
                        actual[k] = batch.labels()[i];
                        predicted[k] = best;
                        probabilities[k] = p;
                        lossSum -= lp[i * classes + actual[k]];
                    }
                }
            }
        }
        return new Predictions(indices.clone(), actual, predicted, probabilities, lossSum / n);
    }

    private static Shape shape(Batch batch, InputSpec input) {
        return new Shape(batch.size(), input.channels(), input.size(), input.size());
    }

    private static long[] longs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
