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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.Augmentation;
import org.attnfer.data.Batch;
import org.attnfer.data.Batches;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.data.TestViews;
import org.attnfer.eval.Metrics;
import org.attnfer.nn.BatchNorm;
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
    /** Salts the seed of the per-step draws (mixing, dropout), so they never repeat the per-item augmentation's. */
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
        return train(model, data, split, input, config, seed, checkpoints, listener, Set.of());
    }

    /**
     * Trains an initialised model whose attention and sampling modules own the named parameters
     * (for {@link FineTuning}'s {@code modules} part).
     *
     * @param modules the state-dict names of the modules' own parameters
     * @see #train(Model, Dataset, Split, InputSpec, TrainingConfig, long, Path, EpochListener)
     */
    public Outcome train(
            Model model,
            Dataset data,
            Split split,
            InputSpec input,
            TrainingConfig config,
            long seed,
            Path checkpoints,
            EpochListener listener,
            Set<String> modules)
            throws IOException {
        if (split.train().length == 0 || split.validation().length == 0) {
            throw new IllegalArgumentException("training needs items in both the training and the validation split ("
                    + split.train().length + " and " + split.validation().length + ")");
        }
        Run run = new Run(model, data, split, input, config, seed, checkpoints, listener, modules);
        int resumedAfter = run.resume();
        boolean stoppedEarly = run.stopsEarly();
        for (int epoch = run.state.epoch + 1; epoch <= run.state.epochs(config) && !stoppedEarly; epoch++) {
            long start = clock.getAsLong();
            Totals totals = run.trainEpoch(epoch);
            run.validate(epoch, totals, (clock.getAsLong() - start) / 1e9);
            run.judgeBudget(epoch);
            run.endEpoch();
            stoppedEarly = run.stopsEarly();
            if (stoppedEarly) {
                progress.println("early stopping: no better validation " + config.monitor() + " for "
                        + run.state.badEpochs + " epochs");
            }
        }
        run.finish();
        return new Outcome(List.copyOf(run.state.history), run.state.bestEpoch, stoppedEarly, resumedAfter);
    }

    /** What the steps of one epoch add up to. */
    private record Totals(double loss, int correct, int seen, double lastLr, Progress bar) {}

    /** One training run: its parts, its state, and the phases of an epoch. */
    private final class Run {
        final Model model;
        final Block block;
        final Dataset data;
        final Split split;
        final InputSpec input;
        final TrainingConfig config;
        final long seed;
        final Path checkpoints;
        final Path last;
        final EpochListener listener;
        final Set<String> modules;
        final TrainStep trainStep;
        final WeightAverage average;
        final SelfDistillation distill;
        final State state = new State();
        final int steps;
        Schedule schedule;

        Run(
                Model model,
                Dataset data,
                Split split,
                InputSpec input,
                TrainingConfig config,
                long seed,
                Path checkpoints,
                EpochListener listener,
                Set<String> modules) {
            this.model = model;
            this.modules = Set.copyOf(modules);
            this.block = model.getBlock();
            this.data = data;
            this.split = split;
            this.input = input;
            this.config = config;
            this.seed = seed;
            this.checkpoints = checkpoints;
            this.last = checkpoints == null ? null : checkpoints.resolve(LAST);
            this.listener = listener;
            trainStep = new TrainStep(
                    model,
                    config,
                    config.classWeights() == TrainingConfig.ClassWeights.BALANCED
                            ? CrossEntropy.balanced(counts(data, split.train()))
                            : null);
            average = config.ema() > 0 ? new WeightAverage(config.ema(), StateDict.parameters(block)) : null;
            distill = config.selfDistill() > 0 ? new SelfDistillation(config.selfDistill(), data, split.train()) : null;
            steps = (split.train().length + config.batchSize() - 1) / config.batchSize();
        }

        /** Continues from the checkpoint where there is one; returns the epoch it continues after. */
        int resume() throws IOException {
            if (last != null && Files.isRegularFile(last)) {
                state.restore(
                        Checkpoint.read(last), block, trainStep.optimizer(), average, distill, model.getNDManager());
                listener.resumed(state.history);
                progress.println("resumed after epoch " + state.epoch
                        + (state.step > 0 ? " and step " + state.step + " of the next" : "") + " from " + last);
            }
            schedule = new Schedule(config, state.epochs(config));
            return state.epoch;
        }

        boolean stopsEarly() {
            return config.earlyStopping() > 0 && state.badEpochs >= config.earlyStopping();
        }

        /** The fine-tuning controls of an epoch: frozen parts and learning-rate multipliers. */
        void fineTune(int epoch) {
            FineTuning ft = config.fineTuning();
            trainStep.multipliers(name -> ft.multiplier(name, modules, epoch));
            StateDict.blocks(block).forEach((path, b) -> {
                if (b instanceof BatchNorm bn) {
                    bn.freezeStatistics(ft.frozen(path + ".weight", modules, epoch));
                }
            });
        }

        /** One pass over the training items, in a seeded order, batches loaded off this thread. */
        Totals trainEpoch(int epoch) throws IOException {
            fineTune(epoch);
            int[] all = Batches.shuffled(split.train(), seed * 1_000_003L + epoch);
            Progress bar = new Progress(
                    progress,
                    terminal,
                    String.format(Locale.ROOT, "epoch %d/%d", epoch, state.epochs(config)),
                    all.length);
            // an epoch interrupted before goes on at its next step, with its sums so far
            int first = state.step;
            int[] order = Arrays.copyOfRange(all, Math.min(all.length, first * config.batchSize()), all.length);
            double lossSum = state.partialLoss;
            double lr = 0;
            int correct = state.partialCorrect;
            int seen = state.partialSeen;
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
                for (int i = first; batches.hasNext(); i++) {
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
                    if (Interruption.requested() && batches.hasNext()) {
                        stopWithin(epoch, i + 1, lossSum, correct, seen);
                    }
                }
            }
            state.step = 0;
            state.partialLoss = 0;
            state.partialCorrect = 0;
            state.partialSeen = 0;
            return new Totals(lossSum, correct, seen, lr, bar);
        }

        /**
         * Validates the epoch's weights (the moving average's, where there is one) without test-time
         * views, which would only cost passes for the same ranking; keeps them if they are the best.
         */
        void validate(int epoch, Totals t, double seconds) throws IOException {
            if (average != null) {
                average.swap();
            }
            Predictions val = predict(
                    model, data, split.validation(), input, config.batchSize(), config.workers(), TestViews.NONE);
            Metrics m = val.metrics(data.classes());
            double monitored = config.monitor() == TrainingConfig.Monitor.ACCURACY ? m.accuracy() : m.macroF1();
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
                    t.loss() / t.seen(),
                    (double) t.correct() / t.seen(),
                    val.loss(),
                    m.accuracy(),
                    m.macroF1(),
                    t.lastLr(),
                    seconds);
            if (better) {
                state.best = monitored;
                state.bestEpoch = epoch;
                state.badEpochs = 0;
            } else {
                state.badEpochs++;
                if (config.schedule() == TrainingConfig.ScheduleKind.PLATEAU
                        && state.badEpochs % config.patience() == 0) {
                    state.plateauFactor *= config.gamma();
                }
            }
            t.bar()
                    .finish(String.format(
                            Locale.ROOT,
                            "train loss %.4f acc %.4f | val loss %.4f acc %.4f macro-F1 %.4f | lr %.3g | %.1f s%s",
                            result.trainLoss(),
                            result.trainAccuracy(),
                            result.valLoss(),
                            result.valAccuracy(),
                            result.valMacroF1(),
                            t.lastLr(),
                            result.seconds(),
                            state.bestEpoch == epoch ? " *" : ""));
            state.epoch = epoch;
            state.history.add(result);
            listener.epoch(result, val);
        }

        /** With a time budget, fits the epoch count to the pace so far, and says when it changes. */
        void judgeBudget(int epoch) {
            if (config.minutes() <= 0 || epoch < TimeBudget.decisionEpoch(config)) {
                return;
            }
            List<Double> seconds =
                    state.history.stream().map(EpochResult::seconds).toList();
            double pace = TimeBudget.pace(seconds, TimeBudget.decisionEpoch(config));
            int count = TimeBudget.epochs(config.minutes() * 60, seconds, pace, config.epochs());
            if (count == state.budgeted) {
                return;
            }
            String minutes =
                    BigDecimal.valueOf(config.minutes()).stripTrailingZeros().toPlainString();
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

        /** Writes a checkpoint in the middle of an epoch and stops: a resumed run goes on at the next step. */
        private void stopWithin(int epoch, int steps, double lossSum, int correct, int seen) throws IOException {
            if (last == null) {
                throw new TrainingInterruptedException("stopped in epoch " + epoch + " after " + steps
                        + " steps, without a checkpoint folder to resume from");
            }
            state.step = steps;
            state.partialLoss = lossSum;
            state.partialCorrect = correct;
            state.partialSeen = seen;
            state.checkpoint(block, trainStep.optimizer(), average, distill).write(last);
            throw new TrainingInterruptedException("stopped in epoch " + epoch + " after step " + steps
                    + ": the checkpoint is written, and the next run resumes at the step after");
        }

        /** Writes the checkpoint that a resumed run continues from. */
        void endEpoch() throws IOException {
            if (last != null) {
                state.checkpoint(block, trainStep.optimizer(), average, distill).write(last);
            }
        }

        /** The model ends with the weights that were validated. */
        void finish() {
            // the frozen layers' statistics are the model's again, whatever epoch training ended in
            StateDict.blocks(block).forEach((path, b) -> {
                if (b instanceof BatchNorm bn) {
                    bn.freezeStatistics(false);
                }
            });
            if (average != null) {
                average.swap();
            }
        }
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
                        Arrays.copyOfRange(data, from * length, (from + count) * length),
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
        /** Steps done of the epoch after {@link #epoch}, where training stopped inside it; 0 otherwise. */
        int step;
        /** That epoch's sums so far: training loss over items, correct items, items. */
        double partialLoss;

        int partialCorrect;
        int partialSeen;

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
            meta.put("step", Integer.toString(step));
            meta.put("partial_loss", Double.toString(partialLoss));
            meta.put("partial_correct", Integer.toString(partialCorrect));
            meta.put("partial_seen", Integer.toString(partialSeen));
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
            // checkpoints written at the end of an epoch have no position inside the next
            step = Integer.parseInt(c.meta().getOrDefault("step", "0"));
            partialLoss = Double.parseDouble(c.meta().getOrDefault("partial_loss", "0"));
            partialCorrect = Integer.parseInt(c.meta().getOrDefault("partial_correct", "0"));
            partialSeen = Integer.parseInt(c.meta().getOrDefault("partial_seen", "0"));
            c.meta().get("history").lines().filter(l -> !l.isBlank()).forEach(l -> history.add(EpochResult.parse(l)));
        }
    }
}
