package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.composer.Composer;
import org.attnfer.composer.ModelSpec;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.composer.ModuleUse;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Split;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir static Path dir;
    static Dataset data;
    static final InputSpec INPUT = new InputSpec(1, 16);
    static final Composer COMPOSER = new Composer(ModuleRegistry.of(List.of(new SimAmModule()), List.of(), List.of(new ResNetBackbone())));

    @BeforeAll
    static void fixture() throws IOException {
        Fixtures.imageFolder(dir.resolve("data"), List.of("happy", "sad", "surprise"), 16, 16, 5);
        ImageFolderProvider p = new ImageFolderProvider();
        data = p.open(Params.validate(p.options(), Map.of("path", "data")), dir);
    }

    private static List<EpochResult> train(long seed, TrainingConfig config, ByteArrayOutputStream log) throws IOException {
        List<EpochResult> results = new ArrayList<>();
        Trainer trainer = new Trainer(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        ModelSpec spec = new ModelSpec("resnet18", "small", List.of(ModuleUse.of("simam")));
        try (Model model = Model.newInstance("t")) {
            model.setBlock(COMPOSER.compose(spec, 1, 3).block());
            trainer.initialize(model, INPUT, seed);
            trainer.train(model, data, Split.stratified(data, 0.25, 0), INPUT, config, seed, (r, p) -> results.add(r));
        }
        return results;
    }

    @Test
    void sameSeedSameFiguresAndLearning() throws IOException {
        TrainingConfig config = new TrainingConfig(6, 8, "sgd", 0.01, 0.9, 5e-4, 2);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochResult> a = train(11, config, log);
        List<EpochResult> b = train(11, config, new ByteArrayOutputStream());
        assertThat(a).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(b.get(i).trainLoss()).isEqualTo(a.get(i).trainLoss());
            assertThat(b.get(i).valAccuracy()).isEqualTo(a.get(i).valAccuracy());
            assertThat(b.get(i).valLoss()).isEqualTo(a.get(i).valLoss());
        }
        assertThat(a.get(5).trainLoss()).isLessThan(a.get(0).trainLoss() / 4);
        assertThat(a.stream().mapToDouble(EpochResult::valAccuracy).max().orElse(0)).as("learns the fixture").isGreaterThanOrEqualTo(0.9);
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("epoch 1/6", "epoch 6/6", "img/s", "val loss");
        assertThat(train(12, config, new ByteArrayOutputStream()).get(0).trainLoss()).isNotEqualTo(a.get(0).trainLoss());
    }

    @Test
    void divergenceStopsWithAClearMessage() {
        TrainingConfig config = new TrainingConfig(1, 8, "sgd", 1e9, 0.9, 0, 1);
        assertThatThrownBy(() -> train(1, config, new ByteArrayOutputStream()))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("loss became")
                .hasMessageContaining("lower the learning rate");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new TrainingConfig(0, 8, "sgd", 0.1, 0.9, 0, 1)).hasMessage("epochs must be ≥ 1, got 0");
        assertThatThrownBy(() -> new TrainingConfig(1, 8, "adam", 0.1, 0.9, 0, 1)).hasMessageContaining("optimizer must be sgd");
    }
}
