package org.attnfer.train;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.data.Augmentation;
import org.attnfer.data.TestViews;
import org.attnfer.nn.Precision;

/**
 * How to train: every setting of an experiment's {@code training} section ({@link #OPTIONS}).
 *
 * @param epochs passes over the training data; with {@code minutes}, at most this many
 * @param minutes a time budget for the epochs ({@link TimeBudget}): the run fixes its epoch count
 *     to what fits when the warm-up ends, re-judges it after every later epoch at the median pace
 *     since then, and the schedule anneals over that count; 0 is off
 * @param batchSize items per step
 * @param workers data-loading threads
 * @param optimizer the optimiser
 * @param lr the peak learning rate
 * @param momentum SGD momentum (AdamW's β1)
 * @param nesterov Nesterov momentum for SGD
 * @param weightDecay weight decay (L2 for SGD, decoupled for AdamW)
 * @param decayNormAndBias whether BatchNorm parameters and biases decay too
 * @param schedule the learning-rate schedule
 * @param warmupEpochs linear warm-up from 0, in epochs (fractions allowed)
 * @param minLr the floor of the cosine schedule
 * @param stepEpochs epochs between decays of the step schedule
 * @param gamma decay factor of the step and plateau schedules
 * @param patience epochs without improvement before a plateau decay
 * @param labelSmoothing label smoothing ε
 * @param selfDistill α_T of progressive self-knowledge distillation (Kim et al., ICCV 2021):
 *     the weight of an item's prediction of the epoch before in its target at the last epoch; 0 is off
 * @param classWeights the loss weights per class
 * @param clipNorm largest global gradient norm; 0 turns clipping off
 * @param earlyStopping epochs without improvement before stopping; 0 never stops early
 * @param monitor the validation metric that decides best checkpoint, plateaus and early stopping
 * @param augmentation training-time augmentation of single images
 * @param mix mixup and CutMix, which blend pairs of images in a batch
 * @param ema the decay of the weights' moving average that validation, the saved model and the end
 *     of training use; 0 is off
 * @param tta the test-time views of the final evaluation (per-epoch validation never uses them)
 * @param precision the arithmetic of training forwards
 * @param fineTuning frozen parts and learning-rate multipliers per part
 */
public record TrainingConfig(
        int epochs,
        double minutes,
        int batchSize,
        int workers,
        OptimizerKind optimizer,
        double lr,
        double momentum,
        boolean nesterov,
        double weightDecay,
        boolean decayNormAndBias,
        ScheduleKind schedule,
        double warmupEpochs,
        double minLr,
        int stepEpochs,
        double gamma,
        int patience,
        double labelSmoothing,
        double selfDistill,
        ClassWeights classWeights,
        double clipNorm,
        int earlyStopping,
        Monitor monitor,
        Augmentation augmentation,
        BatchMix mix,
        double ema,
        TestViews tta,
        Precision precision,
        FineTuning fineTuning) {

    /** The optimisers. */
    public enum OptimizerKind implements Choice {
        /** Stochastic gradient descent with momentum, optionally Nesterov's. */
        SGD,
        /** Adam with decoupled weight decay (Loshchilov and Hutter, ICLR 2019). */
        ADAMW;

        @Override
        public String toString() {
            return id();
        }
    }

    /** The learning-rate schedules (all after the linear warm-up). */
    public enum ScheduleKind implements Choice {
        /** The peak rate throughout. */
        CONSTANT,
        /** Half a cosine from the peak to {@code min_lr} over the epochs. */
        COSINE,
        /** The peak times {@code gamma} every {@code step_epochs}. */
        STEP,
        /** The peak times {@code gamma} after {@code patience} epochs without improvement. */
        PLATEAU;

        @Override
        public String toString() {
            return id();
        }
    }

    /** The loss weights per class. */
    public enum ClassWeights implements Choice {
        /** Every class weighs the same. */
        NONE,
        /** Weights inverse to class frequency in the training split. */
        BALANCED;

        @Override
        public String toString() {
            return id();
        }
    }

    /** The validation metric that picks the best checkpoint and drives plateaus and early stopping. */
    public enum Monitor implements Choice {
        /** Macro-averaged F1. */
        MACRO_F1,
        /** Accuracy. */
        ACCURACY;

        @Override
        public String toString() {
            return id();
        }
    }

    /** The accepted keys of the {@code training} section, with their defaults. */
    public static final List<ParamSpec> OPTIONS = List.of(
            ParamSpec.ofInt("epochs", 10, "passes over the training data (with minutes: at most this many)")
                    .atLeast(1)
                    .atMost(100_000),
            ParamSpec.ofDouble(
                            "minutes",
                            0.0,
                            "time budget of the epochs: when the warm-up ends (at least one epoch) the run sets its "
                                    + "epoch count to what fits at the last epoch's pace, re-judges it after every "
                                    + "later epoch at their median pace, and the schedule anneals over that count; 0 "
                                    + "is off")
                    .atLeast(0)
                    .atMost(1_000_000),
            ParamSpec.ofInt("batch_size", 32, "items per step").atLeast(1).atMost(65_536),
            ParamSpec.ofInt("workers", 1, "data-loading threads").atLeast(1).atMost(64),
            ParamSpec.ofChoice("optimizer", Choice.ids(OptimizerKind.class), "the optimiser"),
            ParamSpec.ofDouble("lr", 0.01, "peak learning rate").greaterThan(0).atMost(1000),
            ParamSpec.ofDouble("momentum", 0.9, "SGD momentum, or AdamW's beta1")
                    .atLeast(0)
                    .atMost(0.999),
            ParamSpec.ofBoolean("nesterov", false, "Nesterov momentum (SGD)"),
            ParamSpec.ofDouble("weight_decay", 5e-4, "weight decay (L2 for SGD, decoupled for AdamW)")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofBoolean("decay_norm_and_bias", false, "also decay BatchNorm weights and biases"),
            ParamSpec.ofChoice("schedule", Choice.ids(ScheduleKind.class), "learning-rate schedule"),
            ParamSpec.ofDouble("warmup_epochs", 0.0, "linear warm-up from 0, in epochs")
                    .atLeast(0),
            ParamSpec.ofDouble("min_lr", 0.0, "floor of the cosine schedule").atLeast(0),
            ParamSpec.ofInt("step_epochs", 10, "epochs between decays of the step schedule")
                    .atLeast(1),
            ParamSpec.ofDouble("gamma", 0.1, "decay factor of the step and plateau schedules")
                    .greaterThan(0)
                    .atMost(1),
            ParamSpec.ofInt("patience", 3, "epochs without improvement before a plateau decay")
                    .atLeast(1),
            ParamSpec.ofDouble("label_smoothing", 0.0, "label smoothing epsilon")
                    .atLeast(0)
                    .atMost(0.5),
            ParamSpec.ofDouble(
                            "self_distill",
                            0.0,
                            "progressive self-knowledge distillation (Kim et al., ICCV 2021): an item's target blends "
                                    + "its label with the model's prediction of it in the epoch before, by a weight "
                                    + "rising linearly to this value at the last epoch (0.8 in the paper); 0 is off")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofChoice(
                    "class_weights",
                    Choice.ids(ClassWeights.class),
                    "loss weights per class (balanced: inverse frequency)"),
            ParamSpec.ofDouble("clip_norm", 0.0, "largest global gradient norm; 0 is off")
                    .atLeast(0),
            ParamSpec.ofInt("early_stopping", 0, "stop after this many epochs without improvement; 0 is off")
                    .atLeast(0),
            ParamSpec.ofChoice(
                    "monitor", Choice.ids(Monitor.class), "validation metric for the best checkpoint and stopping"),
            ParamSpec.ofDouble(
                            "mixup",
                            0.0,
                            "mixup's alpha: blend pairs of images and labels, weight ~ Beta(alpha, alpha); 0 is off")
                    .atLeast(0)
                    .atMost(100),
            ParamSpec.ofDouble(
                            "cutmix",
                            0.0,
                            "CutMix's alpha: paste a box of another image, label weight by area; 0 is off")
                    .atLeast(0)
                    .atMost(100),
            ParamSpec.ofDouble(
                            "mix_prob",
                            1.0,
                            "share of batches mixed when mixup or cutmix is on (both on: either, equal odds)")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble(
                            "ema",
                            0.0,
                            "decay of an exponential moving average of the weights, which validation, the saved model "
                                    + "and the end of training use (e.g. 0.999); 0 is off")
                    .atLeast(0)
                    .atMost(0.99999),
            ParamSpec.ofBoolean("tta", false, "ten-crop test-time augmentation in the final evaluation"),
            ParamSpec.ofDouble(
                            "tta_zoom",
                            0.0,
                            "with tta: ten-crop also of the image this share smaller and larger (30 views at 3 "
                                    + "scales); 0 is one scale")
                    .atLeast(0)
                    .atMost(0.4),
            ParamSpec.ofChoice(
                    "precision",
                    Arrays.stream(Precision.values()).map(Precision::id).toList(),
                    "arithmetic of training: float32, or bfloat16 activations and products with float32 weights, "
                            + "statistics and loss (as autocast; fast on CPUs with AVX512_BF16 or AMX)"));

    /** Checks the combination. */
    public TrainingConfig {
        if (warmupEpochs >= epochs && warmupEpochs > 0) {
            throw new IllegalArgumentException(
                    "warmup_epochs (" + warmupEpochs + ") must be shorter than epochs (" + epochs + ")");
        }
        if (minLr > lr) {
            throw new IllegalArgumentException("min_lr (" + minLr + ") must not exceed lr (" + lr + ")");
        }
        if (selfDistill > 0 && mix.active()) {
            // a mixed image has two labels and no single past prediction of its own
            throw new IllegalArgumentException("self_distill does not combine with mixup or cutmix");
        }
    }

    /** The settings of validated options. */
    public static TrainingConfig of(Params p, Augmentation augmentation) {
        return of(p, augmentation, FineTuning.NONE);
    }

    /** The settings of validated options, with fine-tuning controls. */
    public static TrainingConfig of(Params p, Augmentation augmentation, FineTuning fineTuning) {
        return new TrainingConfig(
                p.getInt("epochs"),
                p.getDouble("minutes"),
                p.getInt("batch_size"),
                p.getInt("workers"),
                Choice.of(OptimizerKind.class, p.getString("optimizer")),
                p.getDouble("lr"),
                p.getDouble("momentum"),
                p.getBoolean("nesterov"),
                p.getDouble("weight_decay"),
                p.getBoolean("decay_norm_and_bias"),
                Choice.of(ScheduleKind.class, p.getString("schedule")),
                p.getDouble("warmup_epochs"),
                p.getDouble("min_lr"),
                p.getInt("step_epochs"),
                p.getDouble("gamma"),
                p.getInt("patience"),
                p.getDouble("label_smoothing"),
                p.getDouble("self_distill"),
                Choice.of(ClassWeights.class, p.getString("class_weights")),
                p.getDouble("clip_norm"),
                p.getInt("early_stopping"),
                Choice.of(Monitor.class, p.getString("monitor")),
                augmentation,
                new BatchMix(p.getDouble("mixup"), p.getDouble("cutmix"), p.getDouble("mix_prob")),
                p.getDouble("ema"),
                new TestViews(p.getBoolean("tta"), p.getDouble("tta_zoom")),
                Precision.of(p.getString("precision")),
                fineTuning);
    }

    /** The defaults with some settings changed, for code and tests: {@code with(Map.of("epochs", 3))}. */
    public static TrainingConfig with(Map<String, ?> settings) {
        return of(Params.validate(OPTIONS, settings), Augmentation.NONE);
    }
}
