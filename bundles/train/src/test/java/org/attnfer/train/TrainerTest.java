package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.attnfer.api.data.Dataset;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.composer.Composer;
import org.attnfer.composer.ModelSpec;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.composer.ModuleUse;
import org.attnfer.data.Augmentation;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.data.TestViews;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.nn.BFloat16;
import org.attnfer.nn.ConvRoute;
import org.attnfer.nn.Module;
import org.attnfer.nn.Precision;
import org.attnfer.nn.Routes;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    static Path dir;

    @TempDir
    Path runDir;

    static Dataset data;
    static final InputSpec INPUT = new InputSpec(1, 16);
    static final Composer COMPOSER =
            new Composer(ModuleRegistry.of(List.of(new SimAmModule()), List.of(), List.of(new ResNetBackbone())));

    @BeforeAll
    static void fixture() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad", "surprise"), 16, 16, 5);
        ImageFolderProvider p = new ImageFolderProvider();
        data = p.open(Params.validate(p.options(), Map.of("path", "data")), dir);
    }

    private static List<EpochResult> train(
            long seed, TrainingConfig config, ByteArrayOutputStream log, Path checkpoints) throws IOException {
        return train(seed, config, log, checkpoints, Integer.MAX_VALUE);
    }

    private static List<EpochResult> train(
            long seed, TrainingConfig config, ByteArrayOutputStream log, Path checkpoints, int crashAt)
            throws IOException {
        return train(seed, config, log, checkpoints, crashAt, System::nanoTime);
    }

    private static List<EpochResult> train(
            long seed,
            TrainingConfig config,
            ByteArrayOutputStream log,
            Path checkpoints,
            int crashAt,
            LongSupplier clock)
            throws IOException {
        return train(seed, config, log, checkpoints, crashAt, clock, Integer.MAX_VALUE);
    }

    /**
     * Trains; the run dies (an exception) when epoch {@code crashAt} ends, before its checkpoint is
     * written, and is asked to stop ({@link Interruption}) when epoch {@code stopAfter} ends.
     */
    private static List<EpochResult> train(
            long seed,
            TrainingConfig config,
            ByteArrayOutputStream log,
            Path checkpoints,
            int crashAt,
            LongSupplier clock,
            int stopAfter)
            throws IOException {
        List<EpochResult> results = new ArrayList<>();
        Trainer trainer = new Trainer(new PrintStream(log, true, StandardCharsets.UTF_8), false, clock);
        ModelSpec spec = new ModelSpec("resnet18", "small", List.of(ModuleUse.of("simam")));
        try (Model model = Model.newInstance("t")) {
            model.setBlock(COMPOSER.compose(spec, 1, 3).block());
            trainer.initialize(model, INPUT, seed);
            Trainer.Outcome o = trainer.train(
                    model,
                    data,
                    Split.stratified(data, 0.25, 0),
                    INPUT,
                    config,
                    seed,
                    checkpoints,
                    new EpochListener() {
                        @Override
                        public void epoch(EpochResult r, Predictions p) {
                            if (r.epoch() == crashAt) {
                                throw new IllegalStateException("killed");
                            }
                            if (r.epoch() == stopAfter) {
                                Interruption.request();
                            }
                            results.add(r);
                        }

                        @Override
                        public void resumed(List<EpochResult> history) {
                            results.addAll(history);
                        }
                    });
            assertThat(o.history()).isEqualTo(results);
        }
        return results;
    }

    private static TrainingConfig config(Map<String, Object> changes) {
        Map<String, Object> settings = new HashMap<>(Map.of("epochs", 6, "batch_size", 8, "lr", 0.01, "workers", 2));
        settings.putAll(changes);
        return TrainingConfig.with(settings);
    }

    @Test
    void sameSeedSameFiguresAndLearning() throws IOException {
        TrainingConfig config = config(Map.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> a = train(11, config, log, null);
        List<EpochResult> b = train(11, config, new ByteArrayOutputStream(), null);
        assertThat(a).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(b.get(i).trainLoss()).isEqualTo(a.get(i).trainLoss());
            assertThat(b.get(i).valAccuracy()).isEqualTo(a.get(i).valAccuracy());
            assertThat(b.get(i).valLoss()).isEqualTo(a.get(i).valLoss());
        }
        assertThat(a.get(5).trainLoss()).isLessThan(a.get(0).trainLoss() / 4);
        assertThat(a.stream().mapToDouble(EpochResult::valAccuracy).max().orElse(0))
                .as("learns the fixture")
                .isGreaterThanOrEqualTo(0.9);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("epoch 1/6", "epoch 6/6", "img/s", "val loss");
        assertThat(train(12, config, new ByteArrayOutputStream(), null).get(0).trainLoss())
                .isNotEqualTo(a.get(0).trainLoss());
    }

    @Test
    void aResumedRunEndsExactlyAsAnUninterruptedOne() throws IOException {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "epochs",
                4,
                "optimizer",
                "adamw",
                "lr",
                0.002,
                "schedule",
                "cosine",
                "warmup_epochs",
                1.0,
                "label_smoothing",
                0.1,
                "class_weights",
                "balanced",
                "clip_norm",
                5.0));
        // mixing draws per step from the seed, the epoch and the step: a resumed run mixes as the straight one did
        settings.putAll(Map.of("mixup", 0.4, "cutmix", 1.0, "mix_prob", 0.8));
        // validation runs on the weights' moving average, which the checkpoint keeps
        settings.put("ema", 0.9);
        assertResumesExactly(config(settings), "mixed");
    }

    @Test
    void aResumedSelfDistilledRunEndsExactlyAsAnUninterruptedOne() throws IOException {
        Map<String, Object> settings = new HashMap<>(Map.of("epochs", 4, "lr", 0.05, "momentum", 0.9));
        List<EpochResult> plain = train(5, config(settings), new ByteArrayOutputStream(), null);
        settings.put("self_distill", 0.8);
        // the targets blend in the predictions of the epoch before the crash, which the checkpoint keeps
        List<EpochResult> distilled = assertResumesExactly(config(settings), "distilled");
        // before any prediction the targets are the labels; from the second epoch on they are not
        assertThat(distilled.get(0).trainLoss()).isEqualTo(plain.get(0).trainLoss());
        assertThat(distilled.get(1).trainLoss()).isNotEqualTo(plain.get(1).trainLoss());
    }

    @Test
    void aRunStoppedInsideAnEpochResumesAtItsNextStepAndEndsAsAnUninterruptedOne() throws IOException {
        Map<String, Object> settings =
                new HashMap<>(Map.of("epochs", 4, "optimizer", "adamw", "lr", 0.002, "schedule", "cosine"));
        settings.putAll(Map.of("mixup", 0.4, "mix_prob", 0.8, "ema", 0.9));
        TrainingConfig config = config(settings);
        List<EpochResult> straight = train(5, config, new ByteArrayOutputStream(), null);
        Path ckpt = Files.createDirectories(runDir.resolve("stopped"));
        try {
            // asked to stop when epoch 2 ends: the run stops after the first step of epoch 3
            assertThatThrownBy(() ->
                            train(5, config, new ByteArrayOutputStream(), ckpt, Integer.MAX_VALUE, System::nanoTime, 2))
                    .isInstanceOf(TrainingInterruptedException.class)
                    .hasMessageContaining("stopped in epoch 3 after step 1");
        } finally {
            Interruption.clear();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> resumed = train(5, config, log, ckpt);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("resumed after epoch 2 and step 1 of the next");
        assertSameEpochs(resumed, straight.subList(0, 4));
    }

    @Test
    void frozenPartsKeepTheirWeightsAndStatisticsBitForBitThenTrain() throws IOException {
        TrainingConfig base = TrainingConfig.with(Map.of("epochs", 2, "batch_size", 8, "lr", 0.05));
        TrainingConfig config = TrainingConfig.of(
                Params.validate(TrainingConfig.OPTIONS, Map.of("epochs", 2, "batch_size", 8, "lr", 0.05)),
                base.augmentation(),
                new FineTuning(List.of("stem", "layer1"), 1, 1, 1, 1));
        Trainer trainer =
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        ModelSpec spec = new ModelSpec("resnet18", "small", List.of(ModuleUse.of("simam")));
        try (Model model = Model.newInstance("frozen")) {
            model.setBlock(COMPOSER.compose(spec, 1, 3).block());
            trainer.initialize(model, INPUT, 0);
            Map<String, Tensor> before = StateDict.export(model.getBlock());
            Map<String, Tensor> afterFirst = new LinkedHashMap<>();
            trainer.train(model, data, Split.stratified(data, 0.25, 0), INPUT, config, 0, null, new EpochListener() {
                @Override
                public void epoch(EpochResult r, Predictions p) {
                    if (r.epoch() == 1) {
                        afterFirst.putAll(StateDict.export(model.getBlock()));
                    }
                }
            });
            Map<String, Tensor> end = StateDict.export(model.getBlock());
            for (String name : before.keySet()) {
                boolean frozen = name.startsWith("conv1.") || name.startsWith("bn1.") || name.startsWith("layer1.");
                if (frozen) {
                    // weights, biases and the running statistics of BatchNorm alike
                    assertThat(afterFirst.get(name)).as(name).isEqualTo(before.get(name));
                    assertThat(end.get(name))
                            .as(name + " trains after the frozen epoch")
                            .isNotEqualTo(before.get(name));
                } else {
                    assertThat(afterFirst.get(name)).as(name).isNotEqualTo(before.get(name));
                }
            }
            assertThat(before.keySet()).anyMatch(n -> n.startsWith("layer1.0.bn1.running_mean"));
        }
    }

    @Test
    void aLearningRateMultiplierOfZeroLeavesThatPartsWeightsAndOnlyThose() throws IOException {
        TrainingConfig config = TrainingConfig.of(
                Params.validate(TrainingConfig.OPTIONS, Map.of("epochs", 1, "batch_size", 8, "lr", 0.05)),
                TrainingConfig.with(Map.of()).augmentation(),
                new FineTuning(List.of(), 0, 0, 1, 1));
        Trainer trainer =
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        try (Model model = Model.newInstance("mult")) {
            model.setBlock(COMPOSER.compose(new ModelSpec("resnet18", "small", List.of()), 1, 3)
                    .block());
            trainer.initialize(model, INPUT, 0);
            Map<String, Tensor> before = StateDict.export(model.getBlock());
            trainer.train(model, data, Split.stratified(data, 0.25, 0), INPUT, config, 0, null, (r, p) -> {});
            Map<String, Tensor> after = StateDict.export(model.getBlock());
            assertThat(after.get("layer2.0.conv1.weight")).isEqualTo(before.get("layer2.0.conv1.weight"));
            assertThat(after.get("fc.weight")).isNotEqualTo(before.get("fc.weight"));
            // not frozen: BatchNorm's statistics still follow the data
            assertThat(after.get("bn1.running_mean")).isNotEqualTo(before.get("bn1.running_mean"));
        }
    }

    /** Trains straight and with a crash after epoch 3 and a resume; returns the straight run. */
    private List<EpochResult> assertResumesExactly(TrainingConfig full, String name) throws IOException {
        List<EpochResult> straight = train(5, full, new ByteArrayOutputStream(), null);
        Path ckpt = Files.createDirectories(runDir.resolve(name));
        assertThatThrownBy(() -> train(5, full, new ByteArrayOutputStream(), ckpt, 3))
                .hasMessage("killed");
        assertThat(ckpt.resolve(Trainer.LAST)).exists();
        assertThat(ckpt.resolve(Trainer.BEST)).exists();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> resumed = train(5, full, log, ckpt);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("resumed after epoch 2");
        assertSameEpochs(resumed, straight.subList(0, 4));
        return straight;
    }

    /** The same epochs: losses to rounding, accuracies exactly. */
    private static void assertSameEpochs(List<EpochResult> resumed, List<EpochResult> straight) {
        assertThat(resumed).hasSameSizeAs(straight);
        for (int i = 0; i < straight.size(); i++) {
            EpochResult a = resumed.get(i);
            EpochResult b = straight.get(i);
            assertThat(a.trainLoss())
                    .as("epoch %d", i + 1)
                    .isCloseTo(b.trainLoss(), within(1e-9 * b.trainLoss() + 1e-12));
            assertThat(a.valLoss()).as("epoch %d", i + 1).isCloseTo(b.valLoss(), within(1e-9 * b.valLoss() + 1e-12));
            assertThat(a.trainAccuracy()).as("epoch %d", i + 1).isEqualTo(b.trainAccuracy());
            assertThat(a.valAccuracy()).as("epoch %d", i + 1).isEqualTo(b.valAccuracy());
        }
    }

    @Test
    void selfDistillationStartsFromTheLabelsAndKeepsTheLastPredictions() {
        Split split = Split.stratified(data, 0.25, 0);
        int[] train = split.train();
        int k = data.classes().size();
        SelfDistillation d = new SelfDistillation(0.8, data, train);
        assertThat(d.weight(1, 4)).isCloseTo(0.2, within(1e-12));
        assertThat(d.weight(4, 4)).isCloseTo(0.8, within(1e-12));
        int[] batch = {train[2], train[0]};
        TrainStep.SoftTargets first = d.targets(batch, 1, 4);
        for (int i = 0; i < 2; i++) {
            float[] oneHot = new float[k];
            oneHot[data.label(batch[i])] = 1;
            assertThat(Arrays.copyOfRange(first.probabilities(), i * k, (i + 1) * k))
                    .as("item %d before any prediction", i)
                    .containsExactly(oneHot);
        }
        float[] predicted = new float[2 * k];
        for (int j = 0; j < predicted.length; j++) {
            predicted[j] = (j + 1) / 10f;
        }
        d.remember(batch, predicted);
        TrainStep.SoftTargets later = d.targets(new int[] {train[0], train[2]}, 3, 4);
        assertThat(later.weight()).isCloseTo(0.6, within(1e-12));
        float[] swapped = new float[2 * k];
        System.arraycopy(predicted, k, swapped, 0, k);
        System.arraycopy(predicted, 0, swapped, k, k);
        assertThat(later.probabilities()).containsExactly(swapped);
        // a checkpoint round trip keeps the memory; a checkpoint without one keeps the labels
        SelfDistillation restored = new SelfDistillation(0.8, data, train);
        restored.restore(d.export());
        assertThat(restored.targets(batch, 2, 4).probabilities()).containsExactly(predicted);
        SelfDistillation old = new SelfDistillation(0.8, data, train);
        old.restore(Map.of());
        assertThat(old.targets(batch, 2, 4).probabilities()).containsExactly(first.probabilities());
    }

    /**
     * A clock on which every reading is 30 s after the one before: the trainer reads it at the start and end of an
     * epoch.
     */
    private static LongSupplier thirtySecondEpochs() {
        AtomicLong now = new AtomicLong();
        return () -> now.getAndAdd(30_000_000_000L);
    }

    @Test
    void aTimeBudgetFixesTheEpochsAfterTheWarmUpAndTheScheduleAnnealsOverThem() throws IOException {
        TrainingConfig config =
                config(Map.of("epochs", 10, "minutes", 2.0, "lr", 0.05, "schedule", "cosine", "warmup_epochs", 1.0));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> straight = train(4, config, log, null, Integer.MAX_VALUE, thirtySecondEpochs());
        // after the first 30-second epoch, 90 of the 120 seconds are left: three more epochs
        assertThat(straight).hasSize(4).allSatisfy(r -> assertThat(r.seconds()).isEqualTo(30.0));
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains(
                        "epoch 1/10",
                        "time budget 2 minutes: 4 epochs (of at most 10) at 30.0 s per epoch",
                        "epoch 2/4",
                        "epoch 4/4")
                .doesNotContain("epoch 5/");
        int steps = (Split.stratified(data, 0.25, 0).train().length + 7) / 8;
        // the last step of epoch 4 is at the end of a cosine over 4 epochs, not over 10
        assertThat(straight.get(3).lr())
                .isCloseTo(new Schedule(config, 4).lr(3 + (steps - 1.0) / steps, 1), within(1e-12))
                .isLessThan(new Schedule(config, config.epochs()).lr(3 + (steps - 1.0) / steps, 1) / 10);

        // the count is part of the checkpoint: a resumed run anneals its first epoch over 4, not 10
        Path ckpt = Files.createDirectories(runDir.resolve("budget"));
        assertThatThrownBy(() -> train(4, config, new ByteArrayOutputStream(), ckpt, 3, thirtySecondEpochs()))
                .hasMessage("killed");
        List<EpochResult> resumed =
                train(4, config, new ByteArrayOutputStream(), ckpt, Integer.MAX_VALUE, thirtySecondEpochs());
        assertThat(resumed).hasSize(4);
        assertThat(resumed.get(3).lr()).isEqualTo(straight.get(3).lr());
        assertThat(resumed.get(3).trainLoss())
                .isCloseTo(
                        straight.get(3).trainLoss(),
                        within(1e-9 * straight.get(3).trainLoss() + 1e-12));
    }

    @Test
    void epochsSlowerThanJudgedShrinkTheBudgetedCountAndTheRunEndsWithinTheBudget() throws IOException {
        TrainingConfig config =
                config(Map.of("epochs", 10, "minutes", 2.0, "lr", 0.05, "schedule", "cosine", "warmup_epochs", 1.0));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        AtomicInteger reads = new AtomicInteger();
        // the first epoch takes 30 s, every later one 60 s
        LongSupplier slowing = () -> now.getAndAdd(reads.getAndIncrement() < 2 ? 30_000_000_000L : 60_000_000_000L);
        List<EpochResult> results = train(4, config, log, null, Integer.MAX_VALUE, slowing);
        // after the first epoch 4 fit; after the second 30 of the 120 seconds are left at a median pace of 45 s: none
        // more
        assertThat(results).extracting(EpochResult::seconds).containsExactly(30.0, 60.0);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains(
                        "time budget 2 minutes: 4 epochs (of at most 10) at 30.0 s per epoch",
                        "epoch 2/4",
                        "time budget 2 minutes: 2 epochs now, at a median 45.0 s per epoch")
                .doesNotContain("epoch 3/");
    }

    @Test
    void theBudgetCountsTheEpochsRunAndTheRemainderAtTheMedianPaceSinceTheDecision() {
        assertThat(TimeBudget.pace(List.of(70.0, 60.0), 2))
                .as("at the decision: the last epoch")
                .isEqualTo(60.0);
        assertThat(TimeBudget.pace(List.of(70.0, 60.0, 80.0, 80.0), 2)).isEqualTo(80.0);
        assertThat(TimeBudget.pace(List.of(70.0, 60.0, 80.0), 2))
                .as("an even count: the mean of the middle two")
                .isEqualTo(70.0);
        assertThat(TimeBudget.pace(List.of(70.0, 60.0, 60.0, 200.0, 60.0), 2))
                .as("one slow epoch")
                .isEqualTo(60.0);
        assertThat(TimeBudget.epochs(600, List.of(70.0, 60.0), 60, 100)).isEqualTo(2 + 7);
        assertThat(TimeBudget.epochs(600, List.of(70.0, 60.0, 80.0, 80.0), 80, 100))
                .as("slower: fewer")
                .isEqualTo(4 + 3);
        assertThat(TimeBudget.epochs(600, List.of(70.0, 60.0, 50.0, 50.0), 50, 100))
                .as("faster: more")
                .isEqualTo(4 + 7);
        assertThat(TimeBudget.epochs(1e6, List.of(1.0), 1, 5))
                .as("never more than epochs")
                .isEqualTo(5);
        assertThat(TimeBudget.epochs(100, List.of(70.0, 60.0), 60, 100))
                .as("spent: no more")
                .isEqualTo(2);
        assertThat(TimeBudget.epochs(100, List.of(0.0), 0, 100))
                .as("no pace measured")
                .isEqualTo(100);
        assertThat(TimeBudget.decisionEpoch(config(Map.of()))).isEqualTo(1);
        assertThat(TimeBudget.decisionEpoch(config(Map.of("warmup_epochs", 0.5))))
                .isEqualTo(1);
        assertThat(TimeBudget.decisionEpoch(config(Map.of("warmup_epochs", 2.0))))
                .isEqualTo(2);
        assertThat(TimeBudget.decisionEpoch(config(Map.of("warmup_epochs", 2.5))))
                .isEqualTo(3);
    }

    @Test
    void theModelsArraysStayTheSameAcrossEpochs() throws IOException {
        for (String optimizer : new String[] {"sgd", "adamw"}) {
            TrainingConfig config = config(Map.of(
                    "epochs",
                    3,
                    "optimizer",
                    optimizer,
                    "nesterov",
                    true,
                    "clip_norm",
                    1.0,
                    "label_smoothing",
                    0.1,
                    "class_weights",
                    "balanced",
                    "ema",
                    0.99));
            List<Integer> counts = new ArrayList<>();
            Trainer trainer =
                    new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
            try (Model model = Model.newInstance("flat")) {
                model.setBlock(
                        COMPOSER.compose(new ModelSpec("resnet18", "small", List.of(ModuleUse.of("simam"))), 1, 3)
                                .block());
                trainer.initialize(model, INPUT, 1);
                trainer.train(
                        model,
                        data,
                        Split.stratified(data, 0.25, 0),
                        INPUT,
                        config,
                        1,
                        Files.createDirectories(runDir.resolve(optimizer)),
                        (r, p) -> counts.add(
                                model.getNDManager().getManagedArrays().size()));
            }
            // the optimiser's buffers appear in epoch 1; after that nothing may accumulate
            assertThat(counts).as(optimizer).hasSize(3).containsOnly(counts.get(0));
        }
    }

    @Test
    void testTimeViewPredictionsDoNotDependOnHowTheViewsAreBatched() {
        Trainer trainer =
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        try (Model model = Model.newInstance("tta")) {
            model.setBlock(COMPOSER.compose(new ModelSpec("resnet18", "small", List.of()), 1, 3)
                    .block());
            trainer.initialize(model, INPUT, 2);
            int[] items = IntStream.range(0, 7).toArray();
            // 7 images × 30 views (ten-crop at 3 scales): 3-row passes split every image's views; 64 rows cut across
            // images
            TestViews views = new TestViews(true, 0.1);
            Predictions small = trainer.predict(model, data, items, INPUT, 3, 1, views);
            Predictions large = trainer.predict(model, data, items, INPUT, 64, 1, views);
            Predictions tenCrop = trainer.predict(model, data, items, INPUT, 3, 1, TestViews.TEN_CROP);
            Predictions plain = trainer.predict(model, data, items, INPUT, 3, 1, TestViews.NONE);
            for (int i = 0; i < items.length; i++) {
                assertThat(small.probabilities()[i])
                        .containsExactly(large.probabilities()[i], org.assertj.core.data.Offset.offset(1e-5f));
                float sum = 0;
                for (float p : small.probabilities()[i]) {
                    sum += p;
                }
                assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
            // the views differ from the plain image and from each other, so the means differ
            assertThat(small.probabilities()[0])
                    .isNotEqualTo(plain.probabilities()[0])
                    .isNotEqualTo(tenCrop.probabilities()[0]);
            assertThat(tenCrop.probabilities()[0]).isNotEqualTo(plain.probabilities()[0]);
        }
    }

    @Test
    void earlyStoppingAndAugmentation() throws IOException {
        TrainingConfig config = TrainingConfig.of(
                Params.validate(
                        TrainingConfig.OPTIONS,
                        Map.of("epochs", 30, "batch_size", 8, "lr", 0.01, "early_stopping", 2, "monitor", "accuracy")),
                Augmentation.of(Params.defaults(Augmentation.OPTIONS)));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> r = train(3, config, log, null);
        assertThat(r.size()).isLessThan(30);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("early stopping: no better validation accuracy for 2 epochs");
    }

    /** A module that turns its input into NaN while {@link #ON} is set: a diverging network on demand. */
    static final AtomicBoolean ON = new AtomicBoolean();

    static final class Poison extends Module {
        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.singletonOrThrow();
            return new NDList(ON.get() ? x.mul(x.getManager().create(Float.NaN)) : x);
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
        AttentionModule poison = new AttentionModule() {
            @Override
            public ModuleInfo info() {
                return new ModuleInfo("poison", "Poison", "-", "stage_end", List.of(4), List.of());
            }

            @Override
            public Block create(int channels, Params params, Site site) {
                return new Poison();
            }
        };
        Composer composer = new Composer(ModuleRegistry.of(List.of(poison), List.of(), List.of(new ResNetBackbone())));
        Path ckpt = Files.createDirectories(runDir.resolve("nan"));
        Trainer trainer =
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        ON.set(false);
        try (Model model = Model.newInstance("nan")) {
            model.setBlock(composer.compose(new ModelSpec("resnet18", "small", List.of(ModuleUse.of("poison"))), 1, 3)
                    .block());
            trainer.initialize(model, INPUT, 1);
            assertThatThrownBy(() -> trainer.train(
                            model,
                            data,
                            Split.stratified(data, 0.25, 0),
                            INPUT,
                            config(Map.of("epochs", 3)),
                            1,
                            ckpt,
                            (r, p) -> ON.set(true)))
                    .isInstanceOf(TrainingException.class)
                    .hasMessage(
                            "the training loss became NaN in epoch 2 after 0 items; lower the learning rate (or set "
                                    + "clip_norm)");
        } finally {
            ON.set(false);
        }
        assertThat(Checkpoint.read(ckpt.resolve(Trainer.LAST)).meta()).containsEntry("epoch", "1");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> config(Map.of("epochs", 0))).hasMessage("epochs must be ≥ 1 and ≤ 100000, got 0");
        assertThatThrownBy(() -> config(Map.of("optimizer", "adam")))
                .hasMessage("optimizer must be one of sgd, adamw, got adam");
        assertThatThrownBy(() -> config(Map.of("warmup_epochs", 7.0)))
                .hasMessageContaining("warmup_epochs (7.0) must be shorter");
        assertThatThrownBy(() -> config(Map.of("mix_prob", 1.5))).hasMessage("mix_prob must be ≥ 0 and ≤ 1, got 1.5");
        assertThatThrownBy(() -> config(Map.of("mixup", -0.2))).hasMessage("mixup must be ≥ 0 and ≤ 100, got -0.2");
        assertThatThrownBy(() -> config(Map.of("self_distill", 0.5, "cutmix", 1.0)))
                .hasMessage("self_distill does not combine with mixup or cutmix");
        assertThatThrownBy(() -> config(Map.of("self_distill", 1.5)))
                .hasMessage("self_distill must be ≥ 0 and ≤ 1, got 1.5");
    }

    @Test
    void scheduleShapes() {
        Schedule cosine = new Schedule(
                config(Map.of("lr", 0.1, "schedule", "cosine", "warmup_epochs", 1.0, "min_lr", 0.001)), 10);
        assertThat(cosine.lr(0.5, 1)).isCloseTo(0.05, within(1e-3));
        assertThat(cosine.lr(1, 1)).isCloseTo(0.1, within(1e-9));
        assertThat(cosine.lr(5.5, 1)).isCloseTo(0.001 + 0.099 * 0.5, within(1e-9));
        assertThat(cosine.lr(10, 1)).isCloseTo(0.001, within(1e-9));
        Schedule step = new Schedule(config(Map.of("lr", 0.1, "schedule", "step", "step_epochs", 2, "gamma", 0.5)), 10);
        assertThat(step.lr(4.5, 1)).isCloseTo(0.025, within(1e-12));
        assertThat(new Schedule(config(Map.of("lr", 0.1, "schedule", "plateau")), 10).lr(3, 0.01))
                .isCloseTo(0.001, within(1e-12));
    }

    @Test
    void smoothedWeightedCrossEntropyByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {2, 0, 0, 0, 1, 0}, new Shape(2, 3));
            NDArray labels = m.create(new long[] {0, 2});
            double z0 = Math.log(Math.exp(2) + 2);
            double z1 = Math.log(2 + Math.exp(1));
            double[][] logp = {{2 - z0, -z0, -z0}, {-z1, 1 - z1, -z1}};
            double eps = 0.1;
            double l0 = -((1 - eps + eps / 3) * logp[0][0] + eps / 3 * (logp[0][1] + logp[0][2]));
            double l1 = -((1 - eps + eps / 3) * logp[1][2] + eps / 3 * (logp[1][0] + logp[1][1]));
            assertThat((double) new CrossEntropy(eps, null)
                            .evaluate(logits, labels, m)
                            .getFloat())
                    .isCloseTo((l0 + l1) / 2, within(1e-6));
            float[] w = {1f, 1f, 3f};
            assertThat((double)
                            new CrossEntropy(eps, w).evaluate(logits, labels, m).getFloat())
                    .isCloseTo((l0 + 3 * l1) / 4, within(1e-6));
            assertThat(CrossEntropy.balanced(new int[] {10, 30, 0})).containsExactly(40f / 30, 40f / 90, 0f);
            // mixed: λ·CE(own labels) + (1−λ)·CE(partner labels); here the partners are swapped
            double l0b = -((1 - eps + eps / 3) * logp[0][2] + eps / 3 * (logp[0][0] + logp[0][1]));
            double l1b = -((1 - eps + eps / 3) * logp[1][0] + eps / 3 * (logp[1][1] + logp[1][2]));
            NDArray partners = m.create(new long[] {2, 0});
            assertThat((double) new CrossEntropy(eps, null)
                            .evaluate(logits, labels, partners, 0.7, m)
                            .getFloat())
                    .isCloseTo(0.7 * (l0 + l1) / 2 + 0.3 * (l0b + l1b) / 2, within(1e-6));
            // distilled: the target is 0.75·smoothed label + 0.25·p, so the loss is 0.75·CE(label) + 0.25·CE(p)
            float[][] p = {{0.2f, 0.5f, 0.3f}, {0.6f, 0.1f, 0.3f}};
            double s0 = -(p[0][0] * logp[0][0] + p[0][1] * logp[0][1] + p[0][2] * logp[0][2]);
            double s1 = -(p[1][0] * logp[1][0] + p[1][1] * logp[1][1] + p[1][2] * logp[1][2]);
            NDArray soft = m.create(new float[] {0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f}, new Shape(2, 3));
            assertThat((double) new CrossEntropy(eps, null)
                            .distilled(logits, labels, soft, 0.25, m)
                            .getFloat())
                    .isCloseTo(0.75 * (l0 + l1) / 2 + 0.25 * (s0 + s1) / 2, within(1e-6));
            assertThat((double) new CrossEntropy(eps, w)
                            .distilled(logits, labels, soft, 0.25, m)
                            .getFloat())
                    .as("class weights follow the labels")
                    .isCloseTo((0.75 * l0 + 0.25 * s0 + 3 * (0.75 * l1 + 0.25 * s1)) / 4, within(1e-6));
        }
    }

    /** Two steps of an optimiser on loss Σw² + Σb², w = [1, −2] (decayed: 2-D), b = [0.5] (not: 1-D). */
    private static float[] twoSteps(Map<String, Object> settings) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", parameter(m, "w", new Shape(1, 2), 1, -2));
            params.put("b", parameter(m, "b", new Shape(1), 0.5f));
            Optimizer optimizer = Optimizer.of(config(settings));
            for (int step = 0; step < 2; step++) {
                try (NDManager s = m.newSubManager()) {
                    Optimizer.Group gradients;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gradients = Optimizer.gradients(
                                params,
                                params.get("w")
                                        .getArray()
                                        .square()
                                        .sum()
                                        .add(params.get("b").getArray().square().sum()),
                                s);
                    }
                    optimizer.step(gradients, 0.1, s);
                }
            }
            return new float[] {
                params.get("w").getArray().getFloat(0, 0),
                params.get("w").getArray().getFloat(0, 1),
                params.get("b").getArray().getFloat(0)
            };
        }
    }

    private static Parameter parameter(NDManager m, String name, Shape shape, float... values) {
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer((mgr, s, t) -> mgr.create(values, s))
                .build();
        p.initialize(m, DataType.FLOAT32);
        return p;
    }

    /**
     * A training step of a channels-last ResNet moves every weight by −lr times its gradient from a
     * backward pass (plain SGD), up to rounding, on every training route. The fused kernels walk
     * weight and gradient as flat memory: gradients taken from {@code torch.autograd.grad} came
     * back channels-last for contiguous weights, and that update of the wrong elements only showed
     * as a worse demo (README, Performance).
     */
    @Test
    void aStepMovesEveryWeightAgainstItsOwnGradient() {
        for (ConvRoute route : List.of(ConvRoute.ONEDNN, ConvRoute.GEMM)) {
            Routes.policy().withTrainingRoute(route, () -> {
                assertStepFollowsBackward(route.id(), Precision.FLOAT32);
                return null;
            });
        }
        // bfloat16 activations: the gradients come back to float32 weights through casts
        for (ConvRoute route : List.of(ConvRoute.ONEDNN_BF16, ConvRoute.GEMM_BF16)) {
            Routes.policy().withTrainingRoute(route, () -> {
                assertStepFollowsBackward(route.id(), Precision.BFLOAT16);
                return null;
            });
        }
    }

    private static void assertStepFollowsBackward(String conv, Precision precision) {
        int n = 6;
        Random r = new Random(5);
        float[] data = new float[n * INPUT.size() * INPUT.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        int[] labels = {0, 1, 2, 0, 1, 2};
        double lr = 0.5;
        TrainingConfig config = config(Map.of(
                "optimizer", "sgd", "momentum", 0.0, "weight_decay", 0.0, "lr", lr, "precision", precision.id()));
        ModelSpec spec = new ModelSpec("resnet18", "half", List.of(ModuleUse.of("simam")), 0.25);
        Trainer trainer =
                new Trainer(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        try (Model reference = Model.newInstance("backward");
                Model stepped = Model.newInstance("step")) {
            reference.setBlock(COMPOSER.compose(spec, 1, 3).block());
            stepped.setBlock(COMPOSER.compose(spec, 1, 3).block());
            trainer.initialize(reference, INPUT, 9);
            trainer.initialize(stepped, INPUT, 9);
            Map<String, Parameter> expected = StateDict.parameters(reference.getBlock());
            Map<String, Double> updates = new HashMap<>();
            try (NDManager s = reference.getNDManager().newSubManager()) {
                NDArray x = s.create(data, new Shape(n, 1, INPUT.size(), INPUT.size()));
                NDArray y = s.create(Arrays.stream(labels).asLongStream().toArray());
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = BFloat16.toFloat32(reference
                            .getBlock()
                            .forward(
                                    new ParameterStore(s, false),
                                    new NDList(precision.input(x)),
                                    true,
                                    precision.params())
                            .singletonOrThrow());
                    gc.backward(new CrossEntropy(0, null).evaluate(logits, y, s));
                }
                for (Map.Entry<String, Parameter> e : expected.entrySet()) {
                    NDArray w = e.getValue().getArray();
                    NDArray update =
                            e.getValue().requiresGradient() ? w.getGradient().mul(lr) : w.zerosLike();
                    updates.put(e.getKey(), (double) update.norm().getFloat());
                    w.subi(update);
                }
            }
            new TrainStep(stepped, config, null).run(data, labels, null, INPUT, lr, new Random(0));
            Map<String, Parameter> actual = StateDict.parameters(stepped.getBlock());
            assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
            int moved = 0;
            for (Map.Entry<String, Parameter> e : expected.entrySet()) {
                NDArray want = e.getValue().getArray();
                double miss = actual.get(e.getKey()).getArray().sub(want).norm().getFloat();
                // a gradient applied in another element order misses by about the update itself
                assertThat(miss)
                        .as("%s, %s path: distance from w - lr * g", e.getKey(), conv)
                        .isLessThanOrEqualTo(1e-3 * updates.get(e.getKey())
                                + 1e-6 * want.norm().getFloat());
                moved += updates.get(e.getKey()) > 0 ? 1 : 0;
            }
            assertThat(moved).as("weights the step moved").isGreaterThan(50);
        }
    }

    /** Loss Σw² at w = [3, 4]: gradient [6, 8], norm 10; clipped to 5 it halves, to 20 it stays. */
    @Test
    void gradientsComeFromTheLossAndClipByTheirGlobalNorm() {
        for (double limit : new double[] {5, 20}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, Parameter> params = Map.of("w", parameter(m, "w", new Shape(2), 3, 4));
                Optimizer.Group gradients;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gradients = Optimizer.gradients(
                            params, params.get("w").getArray().square().sum(), m);
                }
                assertThat(gradients.names()).containsExactly("w");
                assertThat(gradients.grads().get(0).toFloatArray()).containsExactly(6f, 8f);
                Optimizer.clip(gradients, limit);
                float scale = limit < 10 ? (float) (5 / (10 + 1e-6)) : 1f;
                assertThat(gradients.grads().get(0).toFloatArray())
                        .as("clipped to %s", limit)
                        .containsExactly(new float[] {6 * scale, 8 * scale}, within(1e-6f));
            }
        }
    }

    @Test
    void sgdAndAdamWStepsByHand() {
        double lr = 0.1;
        double[] start = {1, -2, 0.5};
        // SGD, Nesterov: g = 2x (+ 0.1x on w); buf = 0.5 buf + g; x -= lr (g + 0.5 buf)
        float[] nesterov = twoSteps(Map.of("momentum", 0.5, "weight_decay", 0.1, "nesterov", true));
        // plain SGD, no momentum: x -= lr g
        float[] plain = twoSteps(Map.of("momentum", 0.0, "weight_decay", 0.1));
        // AdamW, β1 = 0.8: x ← x(1 − lr·0.1) on w; m, v moments of g = 2x; x -= lr/c1 · m / (√v/√c2 + ε)
        float[] adamw = twoSteps(Map.of("optimizer", "adamw", "momentum", 0.8, "weight_decay", 0.1));
        for (int i = 0; i < 3; i++) {
            double decay = i < 2 ? 0.1 : 0;
            double x = start[i];
            double buf = 0;
            for (int step = 0; step < 2; step++) {
                double g = 2 * x + decay * x;
                buf = 0.5 * buf + g;
                x -= lr * (g + 0.5 * buf);
            }
            assertThat((double) nesterov[i]).as("nesterov %d", i).isCloseTo(x, within(1e-6));
            x = start[i];
            for (int step = 0; step < 2; step++) {
                x -= lr * (2 * x + decay * x);
            }
            assertThat((double) plain[i]).as("plain %d", i).isCloseTo(x, within(1e-6));
            x = start[i];
            double m1 = 0;
            double v = 0;
            for (int t = 1; t <= 2; t++) {
                double g = 2 * x;
                x *= 1 - lr * decay;
                m1 = 0.8 * m1 + 0.2 * g;
                v = 0.999 * v + 0.001 * g * g;
                x -= lr / (1 - Math.pow(0.8, t)) * m1 / (Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8);
            }
            assertThat((double) adamw[i]).as("adamw %d", i).isCloseTo(x, within(1e-6));
        }
    }
}
