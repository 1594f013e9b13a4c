package org.attnfer.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.Augmentation;
import org.attnfer.data.Batch;
import org.attnfer.data.Batches;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.data.TestViews;
import org.attnfer.eval.Metrics;
import org.attnfer.nn.Precision;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.TensorFiles;

/**
 * Trains a model on DJL's PyTorch engine: per epoch a seeded shuffle of the training items,
 * augmented batches loaded off the training thread, a forward and backward pass per step and an
 * in-place optimiser update, then a validation pass in eval mode. Every step works in its own
 * NDManager so that memory stays flat.
 *
 * <p>With a checkpoint folder, the trainer keeps {@value #LAST} (model, optimiser and its own
 * state, rewritten atomically after every epoch) and {@value #BEST} (the weights of the best
 * validation epoch); a run that finds {@value #LAST} there resumes after its epoch and ends as an
 * uninterrupted run would. With {@code ema}, validation, {@value #BEST} and the model at the end
 * are the weights' moving average ({@link WeightAverage}); with {@code self_distill}, targets blend
 * in each item's prediction of the epoch before ({@link SelfDistillation}), kept in the checkpoint.
 */
@Singleton
public class Trainer {

    /** The checkpoint written after every epoch. */
    public static final String LAST = "last.ckpt.safetensors";
    /** The weights of the best validation epoch. */
    public static final String BEST = "best.safetensors";
    /** Salts the seed of the per-step mixing draws, so they never repeat the per-item augmentation's. */
    private static final long MIX_STREAM = 0x6D69787570L;

    private final PrintStream progress;
    private final boolean terminal;
    private final LongSupplier clock;

    /** A trainer that draws progress on standard error. */
    @Inject
    @SuppressWarnings("SystemConsoleNull") // Java 17: null exactly when not attached to a terminal
    public Trainer() {
        this(System.err, System.console() != null);
    }

    /**
     * @param progress where progress lines go
     * @param terminal whether that is a terminal (progress redrawn in place)
     */
    public Trainer(PrintStream progress, boolean terminal) {
        this(progress, terminal, System::nanoTime);
    }

    /**
     * @param progress where progress lines go
     * @param terminal whether that is a terminal (progress redrawn in place)
     * @param clock nanoseconds, read at the start and end of every epoch (epoch seconds, time budgets)
     */
    public Trainer(PrintStream progress, boolean terminal, LongSupplier clock) {
        this.progress = progress;
        this.terminal = terminal;
        this.clock = clock;
    }

    /**
     * How training went.
     *
     * @param history every epoch's figures, resumed epochs included
     * @param bestEpoch the epoch of the best monitored validation value
     * @param stoppedEarly whether early stopping ended the run
     * @param resumedAfter the epoch a resumed run continued after, 0 when it started fresh
     */
    public record Outcome(List<EpochResult> history, int bestEpoch, boolean stoppedEarly, int resumedAfter) {}

    /**
     * Initialises the model's block for training: the engine's random seed first, so that the same
     * seed gives the same initial weights.
     */
    public void initialize(Model model, InputSpec input, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        model.getBlock()
                .initialize(
                        model.getNDManager(),
                        DataType.FLOAT32,
                        new Shape(1, input.channels(), input.size(), input.size()));
    }

    /**
     * Trains an initialised model.
     *
     * @param model the model, its block initialised
     * @param data the dataset
     * @param split which items train and which validate
     * @param input the input layout
     * @param config the settings
     * @param seed the run's seed (shuffles, augmentation)
     * @param checkpoints the folder for {@value #LAST} and {@value #BEST}, or {@code null}
     * @param listener receives every epoch's results
     * @throws TrainingException when the loss stops being finite
     */
    public Outcome train(
            Model model,
            Dataset data,
            Split split,
            InputSpec input,
            TrainingConfig config,
            long seed,
            Path checkpoints,
            EpochListener listener)
            throws IOException {
        if (split.train().length == 0 || split.validation().length == 0) {
            throw new IllegalArgumentException("training needs items in both the training and the validation split ("
                    + split.train().length + " and " + split.validation().length + ")");
        }
        Block block = model.getBlock();
        TrainStep trainStep = new TrainStep(
                model,
                config,
                config.classWeights().equals("balanced") ? CrossEntropy.balanced(counts(data, split.train())) : null);
        WeightAverage average = config.ema() > 0 ? new WeightAverage(config.ema(), StateDict.parameters(block)) : null;
        SelfDistillation distill =
                config.selfDistill() > 0 ? new SelfDistillation(config.selfDistill(), data, split.train()) : null;
        State state = new State();
        Path last = checkpoints == null ? null : checkpoints.resolve(LAST);
        if (last != null && Files.isRegularFile(last)) {
            state.restore(Checkpoint.read(last), block, trainStep.optimizer(), average, distill, model.getNDManager());
            listener.resumed(state.history);
            progress.println("resumed after epoch " + state.epoch + " from " + last);
        }
        int resumedAfter = state.epoch;
        Schedule schedule = new Schedule(config, state.epochs(config));
        int steps = (split.train().length + config.batchSize() - 1) / config.batchSize();
        boolean stoppedEarly = state.badEpochs >= config.earlyStopping() && config.earlyStopping() > 0;
        for (int epoch = state.epoch + 1; epoch <= state.epochs(config) && !stoppedEarly; epoch++) {
            long start = clock.getAsLong();
            int[] order = Batches.shuffled(split.train(), seed * 1_000_003L + epoch);
            Progress bar = new Progress(
                    progress,
                    terminal,
                    String.format(Locale.ROOT, "epoch %d/%d", epoch, state.epochs(config)),
                    order.length);
            double lossSum = 0;
            double lr = 0;
            int correct = 0;
            int seen = 0;
            try (Batches batches = new Batches(
                    data,
                    order,
                    input,
                    config.batchSize(),
                    config.workers(),
                    config.augmentation(),
                    seed,
                    epoch,
                    TestViews.NONE)) {
                for (int i = 0; batches.hasNext(); i++) {
                    Batch batch = batches.next();
                    lr = schedule.lr(epoch - 1 + (double) i / steps, state.plateauFactor);
                    TrainStep.Result r = trainStep.run(
                            batch.data(),
                            batch.labels(),
                            distill == null ? null : distill.targets(batch.indices(), epoch, state.epochs(config)),
                            input,
                            lr,
                            Augmentation.random(seed ^ MIX_STREAM, epoch, i));
                    if (!Double.isFinite(r.loss())) {
                        throw new TrainingException("the training loss became " + (float) r.loss() + " in epoch "
                                + epoch + " after " + seen + " items; lower the learning rate (or set clip_norm)");
                    }
                    if (average != null) {
                        average.update();
                    }
                    if (distill != null) {
                        distill.remember(batch.indices(), r.probabilities());
                    }
                    lossSum += r.loss() * batch.size();
                    correct += r.correct();
                    seen += batch.size();
                    bar.update(seen, lossSum / seen);
                }
            }
            // validated and saved: the averaged weights when there is an average
            if (average != null) {
                average.swap();
            }
            // per-epoch validation without test-time augmentation: it only ranks epochs, and ten views cost ten passes
            Predictions val = predict(
                    model, data, split.validation(), input, config.batchSize(), config.workers(), TestViews.NONE);
            Metrics m = val.metrics(data.classes());
            double monitored = config.monitor().equals("accuracy") ? m.accuracy() : m.macroF1();
            boolean better = monitored > state.best;
            if (better && checkpoints != null) {
                Checkpoint.atomically(
                        checkpoints.resolve(BEST), tmp -> TensorFiles.write(tmp, StateDict.export(block)));
            }
            if (average != null) {
                average.swap();
            }
            EpochResult result = new EpochResult(
                    epoch,
                    lossSum / seen,
                    (double) correct / seen,
                    val.loss(),
                    m.accuracy(),
                    m.macroF1(),
                    lr,
                    (clock.getAsLong() - start) / 1e9);
            if (better) {
                state.best = monitored;
                state.bestEpoch = epoch;
                state.badEpochs = 0;
            } else {
                state.badEpochs++;
                if (config.schedule().equals("plateau") && state.badEpochs % config.patience() == 0) {
                    state.plateauFactor *= config.gamma();
                }
            }
            bar.finish(String.format(
                    Locale.ROOT,
                    "train loss %.4f acc %.4f | val loss %.4f acc %.4f macro-F1 %.4f | lr %.3g | %.1f s%s",
                    result.trainLoss(),
                    result.trainAccuracy(),
                    result.valLoss(),
                    result.valAccuracy(),
                    result.valMacroF1(),
                    lr,
                    result.seconds(),
                    state.bestEpoch == epoch ? " *" : ""));
            state.epoch = epoch;
            state.history.add(result);
            if (config.minutes() > 0 && epoch >= TimeBudget.decisionEpoch(config)) {
                List<Double> seconds =
                        state.history.stream().map(EpochResult::seconds).toList();
                double pace = TimeBudget.pace(seconds, TimeBudget.decisionEpoch(config));
                int count = TimeBudget.epochs(config.minutes() * 60, seconds, pace, config.epochs());
                if (count != state.budgeted) {
                    String minutes = BigDecimal.valueOf(config.minutes())
                            .stripTrailingZeros()
                            .toPlainString();
                    progress.println(
                            state.budgeted == 0
                                    ? String.format(
                                            Locale.ROOT,
                                            "time budget %s minutes: %d epochs (of at most %d) at %.1f s per epoch",
                                            minutes,
                                            count,
                                            config.epochs(),
                                            pace)
                                    : String.format(
                                            Locale.ROOT,
                                            "time budget %s minutes: %d epochs now, at a median %.1f s per epoch",
                                            minutes,
                                            count,
                                            pace));
                    state.budgeted = count;
                    schedule = new Schedule(config, count);
                }
            }
            listener.epoch(result, val);
            if (last != null) {
                state.checkpoint(block, trainStep.optimizer(), average, distill).write(last);
            }
            stoppedEarly = config.earlyStopping() > 0 && state.badEpochs >= config.earlyStopping();
            if (stoppedEarly) {
                progress.println("early stopping: no better validation " + config.monitor() + " for " + state.badEpochs
                        + " epochs");
            }
        }
        if (average != null) {
            // the model ends with the weights that were validated
            average.swap();
        }
        return new Outcome(List.copyOf(state.history), state.bestEpoch, stoppedEarly, resumedAfter);
    }

    /** Runs a model in eval mode on some items, without test-time augmentation. */
    public Predictions predict(Model model, Dataset data, int[] indices, InputSpec input, int batchSize, int workers) {
        return predict(model, data, indices, input, batchSize, workers, TestViews.NONE);
    }

    /**
     * Runs a model in eval mode on some items.
     *
     * @param tta the test-time views whose probabilities are averaged ({@link TestViews#NONE}: the centre window alone)
     * @return the predictions, in the order of {@code indices}
     */
    public Predictions predict(
            Model model, Dataset data, int[] indices, InputSpec input, int batchSize, int workers, TestViews tta) {
        return predict(model, data, indices, input, batchSize, workers, tta, Precision.FLOAT32);
    }

    /**
     * Runs a model in eval mode on some items.
     *
     * @param tta the test-time views whose probabilities are averaged ({@link TestViews#NONE}: the centre window alone)
     * @param precision what the convolutions multiply in ({@link Precision#BFLOAT16}: faster where the processor has
     *     bfloat16 instructions, a little less exact)
     * @return the predictions, in the order of {@code indices}
     */
    public Predictions predict(
            Model model,
            Dataset data,
            int[] indices,
            InputSpec input,
            int batchSize,
            int workers,
            TestViews tta,
            Precision precision) {
        int n = indices.length;
        int[] actual = new int[n];
        float[][] probabilities = new float[n][];
        int k = 0;
        int views = tta.count();
        try (Batches batches = new Batches(data, indices, input, batchSize, workers, Augmentation.NONE, 0, 0, tta);
                NDManager scratch = model.getNDManager().newSubManager()) {
            ParameterStore store = new ParameterStore(scratch, false);
            while (batches.hasNext()) {
                Batch batch = batches.next();
                float[] all =
                        softmax(model, store, scratch, batch.data(), batch.rows(input), input, batchSize, precision);
                int classes = all.length / batch.rows(input);
                for (int i = 0; i < batch.size(); i++, k++) {
                    // the mean over the image's views (rows i·views … i·views + views − 1)
                    float[] row = new float[classes];
                    for (int v = 0; v < views; v++) {
                        for (int c = 0; c < classes; c++) {
                            row[c] += all[((i * views) + v) * classes + c] / views;
                        }
                    }
                    actual[k] = batch.labels()[i];
                    probabilities[k] = row;
                }
            }
        }
        return Predictions.of(indices.clone(), actual, probabilities);
    }

    /**
     * Class probabilities of {@code rows} images, at most {@code chunk} rows per forward pass: DJL
     * keeps every intermediate array until its manager closes, so the ten views of a batch in one
     * pass would hold ten batches' activations at once (7.8 GB at 128 × 10 faces of 48 pixels).
     */
    private static float[] softmax(
            Model model,
            ParameterStore store,
            NDManager scratch,
            float[] data,
            int rows,
            InputSpec input,
            int chunk,
            Precision precision) {
        int length = input.length();
        float[] out = null;
        for (int from = 0; from < rows; from += chunk) {
            int count = Math.min(chunk, rows - from);
            try (NDManager step = scratch.newSubManager()) {
                NDArray x = step.create(
                        java.util.Arrays.copyOfRange(data, from * length, (from + count) * length),
                        new Shape(count, input.channels(), input.size(), input.size()));
                float[] p = model.getBlock()
                        .forward(store, new NDList(x), false, precision.params())
                        .singletonOrThrow()
                        .softmax(1)
                        .toFloatArray();
                int classes = p.length / count;
                out = out == null ? new float[rows * classes] : out;
                System.arraycopy(p, 0, out, from * classes, p.length);
            }
        }
        return out;
    }

    private static int[] counts(Dataset data, int[] indices) {
        int[] counts = new int[data.classes().size()];
        for (int i : indices) {
            counts[data.label(i)]++;
        }
        return counts;
    }

    /** What the trainer remembers across epochs, and keeps in its checkpoint. */
    private static final class State {
        int epoch;
        final List<EpochResult> history = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch;
        int badEpochs;
        double plateauFactor = 1;
        /** The epoch count a time budget fixed; 0 until then, or without a budget. */
        int budgeted;

        int epochs(TrainingConfig config) {
            return budgeted > 0 ? budgeted : config.epochs();
        }

        Checkpoint checkpoint(Block block, Optimizer optimizer, WeightAverage average, SelfDistillation distill) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("epoch", Integer.toString(epoch));
            meta.put("best", Double.toString(best));
            meta.put("best_epoch", Integer.toString(bestEpoch));
            meta.put("bad_epochs", Integer.toString(badEpochs));
            meta.put("plateau_factor", Double.toString(plateauFactor));
            meta.put("budgeted_epochs", Integer.toString(budgeted));
            StringBuilder lines = new StringBuilder();
            history.forEach(r -> lines.append(r.exact()).append('\n'));
            meta.put("history", lines.toString());
            if (average != null) {
                meta.put("average_steps", Long.toString(average.steps()));
            }
            return new Checkpoint(
                    StateDict.export(block),
                    optimizer.export(),
                    average == null ? Map.of() : average.export(),
                    distill == null ? Map.of() : distill.export(),
                    meta);
        }

        void restore(
                Checkpoint c,
                Block block,
                Optimizer optimizer,
                WeightAverage average,
                SelfDistillation distill,
                NDManager manager) {
            StateDict.load(block, c.model(), true);
            optimizer.restore(c.optimizer(), manager);
            if (average != null) {
                // a run that started without an average starts one now
                average.restore(c.average(), Long.parseLong(c.meta().getOrDefault("average_steps", "0")), manager);
            }
            if (distill != null) {
                distill.restore(c.targets());
            }
            epoch = Integer.parseInt(c.meta().get("epoch"));
            best = Double.parseDouble(c.meta().get("best"));
            bestEpoch = Integer.parseInt(c.meta().get("best_epoch"));
            badEpochs = Integer.parseInt(c.meta().get("bad_epochs"));
            plateauFactor = Double.parseDouble(c.meta().get("plateau_factor"));
            // checkpoints written before time budgets existed have none
            budgeted = Integer.parseInt(c.meta().getOrDefault("budgeted_epochs", "0"));
            c.meta().get("history").lines().filter(l -> !l.isBlank()).forEach(l -> history.add(EpochResult.parse(l)));
        }
    }
}
