package org.attnfer.backbone.convnext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insertions;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvNeXtTest {

    private static ConvNeXt net(int in, int classes, double width) {
        return new ConvNeXt(
                new BackboneSpec(ConvNeXt.VARIANT, in, classes, ConvNeXt.STEM_STANDARD, width), Insertions.none());
    }

    @ParameterizedTest
    @CsvSource({"1000, 1, 28589128", "7, 1, 27825511", "7, 0.0833333, 223695"})
    void parameterCountsEqualTorchvision(int classes, double width, long expected) {
        assertThat(StateDict.trainableCount(net(3, classes, width))).isEqualTo(expected);
    }

    @Test
    void keysAreTorchvisionStateDictNames() {
        Map<String, ?> keys = StateDict.parameters(net(3, 7, 1));
        // per block: layer scale, depthwise weight and bias, LayerNorm, two linear layers (7 tensors);
        // stem and three downsamplings: convolution and LayerNorm (4 each); classifier: LayerNorm and linear
        assertThat(keys).hasSize(18 * 9 + 4 * 4 + 4);
        assertThat(keys)
                .containsKeys(
                        "features.0.0.weight",
                        "features.0.1.bias",
                        "features.1.0.layer_scale",
                        "features.1.0.block.0.weight",
                        "features.1.2.block.2.weight",
                        "features.2.0.weight",
                        "features.2.1.bias",
                        "features.5.8.block.3.weight",
                        "features.7.2.block.5.bias",
                        "classifier.0.weight",
                        "classifier.2.weight");
        assertThat(StateDict.parameters(net(3, 7, 1))
                        .get("features.1.0.layer_scale")
                        .getShape())
                .isEqualTo(new Shape(96, 1, 1));
    }

    @ParameterizedTest
    @CsvSource({"224, 4454768640", "48, 185250432"})
    void macsEqualTorchvisionsLayers(int size, long expected) {
        ModelStats.Layer costs = ModuleChecks.costs(net(3, 7, 1), new Shape(3, size, size));
        assertThat(costs.macs()).isEqualTo(expected);
        assertThat(costs.params()).isEqualTo(27825511);
    }

    @Test
    void matchesTorchvisionInEvalMode() {
        Parity.check("convnext_w8", () -> net(3, 7, 1 / 12.0));
    }

    @Test
    void stagesEndAtStrides4To32() {
        assertThat(ModuleChecks.points(net(1, 7, 1 / 3.0), new Shape(2, 1, 64, 64)))
                .containsExactly(
                        Map.entry("stem", new Shape(2, 32, 16, 16)),
                        Map.entry("stage1", new Shape(2, 32, 16, 16)),
                        Map.entry("stage2", new Shape(2, 64, 8, 8)),
                        Map.entry("stage3", new Shape(2, 128, 4, 4)),
                        Map.entry("stage4", new Shape(2, 256, 2, 2)),
                        Map.entry("pool", new Shape(2, 256)),
                        Map.entry("logits", new Shape(2, 7)));
    }

    @Test
    void modulesGoToTheirHooksUnderTheirNames() {
        AtHook at = new AtHook()
                .put(
                        HookNames.AFTER_CONV2,
                        "probe",
                        site -> Conv2d.builder(site.channels(), site.channels()).build())
                .put(
                        HookNames.AFTER_BN3,
                        "last",
                        site -> Conv2d.builder(site.channels(), site.channels()).build());
        ConvNeXt net = new ConvNeXt(new BackboneSpec(ConvNeXt.VARIANT, 3, 7, ConvNeXt.STEM_STANDARD, 1 / 12.0), at);
        Map<String, ?> keys = StateDict.parameters(net);
        assertThat(keys).containsKeys("features.1.0.probe.weight", "features.7.2.last.bias");
        assertThat(StateDict.parameters(net).get("features.5.0.probe.weight").getShape())
                .isEqualTo(new Shape(32, 32, 1, 1));
        assertThat(ModuleChecks.outputShape(net, new Shape(2, 3, 32, 32))).isEqualTo(new Shape(2, 7));
    }

    @Test
    void stochasticDepthGrowsLinearlyToOneTenth() {
        ConvNeXt plain = net(3, 7, 1 / 12.0);
        assertThat(plain.dropProbabilities()).hasSize(18).startsWith(0.0).endsWith(0.1);
        assertThat(plain.dropProbabilities().get(9)).isCloseTo(0.1 * 9 / 17, within(1e-12));
    }

    @Test
    void gradientsReachEveryParameterWithGrayInput() {
        ModuleChecks.gradientFlow(net(1, 7, 1 / 12.0), new Shape(4, 1, 32, 32));
    }

    @Test
    void inputGradientEqualsCentralDifferences() {
        ModuleChecks.inputGradient(net(3, 7, 1 / 12.0), new Shape(2, 3, 32, 32));
    }

    @Test
    void saveLoadAndTrainingMode() throws Exception {
        ModuleChecks.saveLoadRoundTrip(() -> net(3, 7, 1 / 12.0), new Shape(2, 3, 32, 32));
        ModuleChecks.trainingMode(net(3, 7, 1 / 12.0), new Shape(4, 3, 32, 32), false);
    }

    @Test
    void badSpecsAreClearErrors() {
        assertThatThrownBy(() -> new ConvNeXt(new BackboneSpec("convnext_small", 3, 7, "standard"), Insertions.none()))
                .hasMessageContaining("unknown ConvNeXt variant 'convnext_small'");
        assertThatThrownBy(() -> new ConvNeXt(new BackboneSpec(ConvNeXt.VARIANT, 3, 7, "half"), Insertions.none()))
                .hasMessageContaining("unknown stem 'half'");
        assertThatThrownBy(() -> net(3, 7, 0.001)).hasMessageContaining("leaves the stem no channel");
    }

    @Test
    void gradCamExplainsTheLastStage() {
        assertThat(net(3, 7, 1 / 12.0).gradCamLayer()).isEqualTo("features.7");
    }
}
