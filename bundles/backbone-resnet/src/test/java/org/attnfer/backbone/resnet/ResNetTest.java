package org.attnfer.backbone.resnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.Insertions;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResNetTest {

    private static ResNet resnet(String variant, int classes) {
        return new ResNet(new BackboneSpec(variant, 3, classes, ResNet.STEM_STANDARD), Insertions.none());
    }

    @ParameterizedTest
    @CsvSource({
        "resnet18, 1000, 11689512",
        "resnet34, 1000, 21797672",
        "resnet50, 1000, 25557032",
        "resnet101, 1000, 44549160",
        "resnet50, 7, 23522375"
    })
    void parameterCountsEqualTorchvision(String variant, int classes, long expected) {
        assertThat(StateDict.trainableCount(resnet(variant, classes))).isEqualTo(expected);
    }

    @Test
    void keysAreTorchvisionStateDictNames() {
        Map<String, ?> keys = StateDict.parameters(resnet("resnet50", 7));
        // 53 convolutions, 53 BatchNorms with 4 tensors each, fc weight and bias
        assertThat(keys).hasSize(53 + 53 * 4 + 2);
        assertThat(keys)
                .containsKeys(
                        "conv1.weight",
                        "bn1.running_var",
                        "layer1.0.downsample.0.weight",
                        "layer1.0.downsample.1.bias",
                        "layer4.2.bn3.weight",
                        "layer3.5.conv2.weight",
                        "fc.weight",
                        "fc.bias");
        assertThat(keys.keySet()).noneMatch(k -> k.startsWith("layer2.1.downsample"));
    }

    @ParameterizedTest
    @CsvSource({"224, 4087150592", "48, 212920320"})
    void macsMatchTheSpecification(int size, long expected) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = resnet("resnet50", 7);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
            List<ModelStats.Layer> layers = ModelStats.trace(net, new Shape(3, size, size));
            assertThat(layers.get(0).macs()).isEqualTo(expected);
            assertThat(layers.get(0).params()).isEqualTo(23522375);
            assertThat(layers)
                    .filteredOn(l -> l.path().equals("layer4"))
                    .singleElement()
                    .extracting(ModelStats.Layer::outputShape)
                    .isEqualTo(new Shape(1, 2048, (size + 31) / 32, (size + 31) / 32));
        }
    }

    @Test
    void namedPointsGiveTheFeatureShapes() {
        assertThat(ModuleChecks.points(resnet("resnet50", 7), new Shape(2, 3, 64, 64)))
                .containsExactly(
                        Map.entry("stem", new Shape(2, 64, 16, 16)),
                        Map.entry("layer1", new Shape(2, 256, 16, 16)),
                        Map.entry("layer2", new Shape(2, 512, 8, 8)),
                        Map.entry("layer3", new Shape(2, 1024, 4, 4)),
                        Map.entry("layer4", new Shape(2, 2048, 2, 2)),
                        Map.entry("pool", new Shape(2, 2048)),
                        Map.entry("logits", new Shape(2, 7)));
    }

    @Test
    void halfStemHalvesTheInputOnceWithoutMaxPool() {
        ResNet net = new ResNet(new BackboneSpec("resnet18", 1, 7, ResNet.STEM_HALF), Insertions.none());
        Map<String, Shape> points = ModuleChecks.points(net, new Shape(2, 1, 48, 48));
        assertThat(points.get("stem")).isEqualTo(new Shape(2, 64, 24, 24));
        assertThat(points.get("layer4")).isEqualTo(new Shape(2, 512, 3, 3));
        assertThat(StateDict.parameters(net).get("conv1.weight").getShape()).isEqualTo(new Shape(64, 1, 3, 3));
    }

    @Test
    void widthScalesEveryLayerFromTheStem() {
        ResNet net = new ResNet(new BackboneSpec("resnet18", 1, 7, ResNet.STEM_HALF, 0.5), Insertions.none());
        // torchvision's ResNet18 layout with 32-64-128-256 channels, 3×3 stem, 1 input channel, 7 classes
        assertThat(StateDict.trainableCount(net)).isEqualTo(2796263);
        Map<String, Shape> points = ModuleChecks.points(net, new Shape(2, 1, 48, 48));
        assertThat(points.get("stem")).isEqualTo(new Shape(2, 32, 24, 24));
        assertThat(points.get("layer4")).isEqualTo(new Shape(2, 256, 3, 3));
        assertThat(StateDict.parameters(net).get("layer2.0.downsample.0.weight").getShape())
                .isEqualTo(new Shape(64, 32, 1, 1));
        assertThatThrownBy(() ->
                        new ResNet(new BackboneSpec("resnet18", 1, 7, ResNet.STEM_HALF, 0.005), Insertions.none()))
                .hasMessageContaining("width 0.005 leaves the stem no channel");
        assertThatThrownBy(() -> new BackboneSpec("resnet18", 1, 7, ResNet.STEM_HALF, 0))
                .hasMessageContaining("width must be a positive number");
    }

    @Test
    void smallStemAndGrayscaleInput() {
        ResNet net = new ResNet(new BackboneSpec("resnet18", 1, 5, ResNet.STEM_SMALL), Insertions.none());
        assertThat(ModuleChecks.outputShape(net, new Shape(2, 1, 33, 17))).isEqualTo(new Shape(2, 5));
        assertThat(StateDict.parameters(net).get("conv1.weight").getShape()).isEqualTo(new Shape(64, 1, 3, 3));
    }

    @Test
    void badSpecsAreClearErrors() {
        assertThatThrownBy(() -> resnet("resnet51", 7)).hasMessageContaining("unknown ResNet variant 'resnet51'");
        assertThatThrownBy(() -> new ResNet(new BackboneSpec("resnet18", 3, 7, "tiny"), Insertions.none()))
                .hasMessageContaining("unknown stem 'tiny'");
        assertThatThrownBy(() -> resnet("resnet18", 0)).hasMessageContaining("≥ 1 class");
    }

    @Test
    void gradientsReachEveryParameter() {
        Block net = new ResNet(new BackboneSpec("resnet18", 3, 7, ResNet.STEM_SMALL), Insertions.none());
        ModuleChecks.gradientFlow(net, new Shape(4, 3, 16, 16));
    }

    @Test
    void inputGradientEqualsCentralDifferences() {
        // with and without the max-pool; at 16×16 the later stages' convolutions train as matrix
        // products. Four images: with two, BatchNorm over layer4's 1×1 maps curves the loss so much
        // that differences of 1e-5 are off by 0.5 %.
        for (String stem : new String[] {ResNet.STEM_STANDARD, ResNet.STEM_HALF}) {
            ModuleChecks.inputGradient(
                    new ResNet(new BackboneSpec("resnet18", 3, 7, stem), Insertions.none()), new Shape(4, 3, 16, 16));
        }
    }

    @Test
    void saveLoadAndTrainingMode() throws Exception {
        ModuleChecks.saveLoadRoundTrip(() -> resnet("resnet18", 7), new Shape(2, 3, 32, 32));
        ModuleChecks.trainingMode(resnet("resnet18", 7), new Shape(4, 3, 32, 32), true);
    }

    @Test
    void bottleneckMatchesGoldenWithProjection() {
        Parity.check("bottleneck_plain", () -> new Bottleneck(64, 32, 2, 1, 0, Insertions.none()));
    }

    @Test
    void bottleneckMatchesGoldenWithIdentityShortcut() {
        Parity.check("bottleneck_plain_s1", () -> new Bottleneck(128, 32, 1, 1, 1, Insertions.none()));
    }
}
