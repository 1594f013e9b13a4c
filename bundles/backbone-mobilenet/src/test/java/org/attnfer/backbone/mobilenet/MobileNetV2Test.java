package org.attnfer.backbone.mobilenet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insertions;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Draws;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MobileNetV2Test {

    private static MobileNetV2 net(int in, int classes, double width) {
        return new MobileNetV2(
                new BackboneSpec(MobileNetV2.VARIANT, in, classes, MobileNetV2.STEM_STANDARD, width),
                Insertions.none());
    }

    @ParameterizedTest
    @CsvSource({"1000, 1, 3504872", "7, 1, 2232839", "7, 0.25, 247079"})
    void parameterCountsEqualTorchvision(int classes, double width, long expected) {
        assertThat(StateDict.trainableCount(net(3, classes, width))).isEqualTo(expected);
    }

    @Test
    void keysAreTorchvisionStateDictNames() {
        Map<String, ?> keys = StateDict.parameters(net(3, 7, 1));
        // 52 convolutions, 52 BatchNorms with 4 tensors each, the classifier's weight and bias
        assertThat(keys).hasSize(52 + 52 * 4 + 2);
        assertThat(keys)
                .containsKeys(
                        "features.0.0.weight",
                        "features.0.1.running_mean",
                        "features.1.conv.0.0.weight",
                        "features.1.conv.1.weight",
                        "features.1.conv.2.running_var",
                        "features.2.conv.0.0.weight",
                        "features.2.conv.1.1.bias",
                        "features.17.conv.3.weight",
                        "features.18.0.weight",
                        "classifier.1.weight",
                        "classifier.1.bias");
        assertThat(keys.keySet()).noneMatch(k -> k.startsWith("features.1.conv.3"));
    }

    @ParameterizedTest
    @CsvSource({"224, 299503232", "48, 16575360"})
    void macsEqualTorchvisionsLayers(int size, long expected) {
        ModelStats.Layer costs = ModuleChecks.costs(net(3, 7, 1), new Shape(3, size, size));
        assertThat(costs.macs()).isEqualTo(expected);
        assertThat(costs.params()).isEqualTo(2232839);
    }

    @Test
    void matchesTorchvisionInEvalMode() {
        Parity.check("mobilenet_v2_w025", () -> net(3, 7, 0.25));
    }

    @Test
    void stagesEndAtStrides4To32() {
        Map<String, Shape> points = ModuleChecks.points(net(1, 7, 1), new Shape(2, 1, 64, 64));
        assertThat(points)
                .containsExactly(
                        Map.entry("stem", new Shape(2, 32, 32, 32)),
                        Map.entry("stage1", new Shape(2, 24, 16, 16)),
                        Map.entry("stage2", new Shape(2, 32, 8, 8)),
                        Map.entry("stage3", new Shape(2, 96, 4, 4)),
                        Map.entry("stage4", new Shape(2, 320, 2, 2)),
                        Map.entry("pool", new Shape(2, 1280)),
                        Map.entry("logits", new Shape(2, 7)));
    }

    @Test
    void modulesGoToTheirHooksUnderTheirNames() {
        AtHook at = new AtHook()
                .put(
                        HookNames.AFTER_CONV2,
                        "probe",
                        site -> Conv2d.builder(site.channels(), site.channels())
                                .bias(false)
                                .build())
                .put(
                        HookNames.STAGE_END,
                        "end",
                        site -> Conv2d.builder(site.channels(), site.channels())
                                .bias(false)
                                .build());
        MobileNetV2 net =
                new MobileNetV2(new BackboneSpec(MobileNetV2.VARIANT, 3, 7, MobileNetV2.STEM_STANDARD, 1), at);
        Map<String, ?> keys = StateDict.parameters(net);
        // features.1 (expansion 1) has 32 hidden channels, features.2 has 16 · 6
        assertThat(keys).containsKeys("features.1.probe.weight", "features.2.probe.weight", "end.weight");
        assertThat(StateDict.parameters(net).get("features.2.probe.weight").getShape())
                .isEqualTo(new Shape(96, 96, 1, 1));
        assertThat(ModuleChecks.outputShape(net, new Shape(2, 3, 32, 32))).isEqualTo(new Shape(2, 7));
    }

    @Test
    void widthRoundsToMultiplesOf8AsTorchvision() {
        assertThat(MobileNetV2.divisible(32 * 0.35)).isEqualTo(16);
        assertThat(MobileNetV2.divisible(16 * 0.25)).isEqualTo(8);
        assertThat(MobileNetV2.divisible(96 * 0.75)).isEqualTo(72);
        assertThat(MobileNetV2.divisible(1280 * 1.4)).isEqualTo(1792);
    }

    @Test
    void gradientsReachEveryParameterWithGrayInput() {
        ModuleChecks.gradientFlow(net(1, 7, 0.25), new Shape(4, 1, 32, 32));
    }

    @Test
    void inputGradientEqualsCentralDifferences() {
        ModuleChecks.inputGradient(net(3, 7, 0.25), new Shape(4, 3, 32, 32));
    }

    @Test
    void saveLoadAndTrainingMode() throws Exception {
        ModuleChecks.saveLoadRoundTrip(() -> net(3, 7, 0.25), new Shape(2, 3, 32, 32));
        ModuleChecks.trainingMode(net(3, 7, 0.25), new Shape(4, 3, 32, 32), true);
    }

    @Test
    void dropoutMasksComeFromTheStepsGenerator() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MobileNetV2 net = net(3, 7, 0.25);
            Shape input = new Shape(4, 3, 32, 32);
            net.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(input);
            float[] a = train(net, manager, x, 11);
            assertThat(train(net, manager, x, 11)).containsExactly(a);
            assertThat(train(net, manager, x, 12)).isNotEqualTo(a);
        }
    }

    private static float[] train(MobileNetV2 net, NDManager manager, NDArray x, long seed) {
        try (NDManager scratch = manager.newSubManager()) {
            return net.forward(
                            new ParameterStore(scratch, false), new NDList(x), true, Draws.with(null, new Random(seed)))
                    .singletonOrThrow()
                    .toFloatArray();
        }
    }

    @Test
    void badSpecsAreClearErrors() {
        assertThatThrownBy(() -> new MobileNetV2(new BackboneSpec("mobilenet_v3", 3, 7, "standard"), Insertions.none()))
                .hasMessageContaining("unknown MobileNetV2 variant 'mobilenet_v3'");
        assertThatThrownBy(
                        () -> new MobileNetV2(new BackboneSpec(MobileNetV2.VARIANT, 3, 7, "small"), Insertions.none()))
                .hasMessageContaining("unknown stem 'small'");
        assertThatThrownBy(() -> net(3, 0, 1)).hasMessageContaining("≥ 1 class");
    }

    @Test
    void gradCamExplainsTheLastConvolution() {
        assertThat(net(3, 7, 1).gradCamLayer()).isEqualTo("features.18");
        assertThat(StateDict.blocks(net(3, 7, 1))).containsKey("features.18");
    }
}
