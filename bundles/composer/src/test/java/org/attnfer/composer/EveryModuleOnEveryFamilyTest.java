package org.attnfer.composer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.attnfer.attention.acmix.internal.AcMixModule;
import org.attnfer.attention.bam.internal.BamModule;
import org.attnfer.attention.ca.internal.ChannelAttentionModule;
import org.attnfer.attention.coord.internal.CoordinateAttentionModule;
import org.attnfer.attention.eca.internal.EfficientChannelAttentionModule;
import org.attnfer.attention.se.internal.SqueezeExcitationModule;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.convnext.internal.ConvNeXtBackbone;
import org.attnfer.backbone.mobilenet.internal.MobileNetBackbone;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.nn.ModelStats;
import org.attnfer.nn.StateDict;
import org.attnfer.sampling.sc.internal.ScModule;
import org.attnfer.testkit.ModuleChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every module of the project at its default place on the two families that were not designed
 * with them: it either works (forward shape, gradients into every parameter, its parameters
 * counted) or is refused with the family's reason, never silently.
 */
class EveryModuleOnEveryFamilyTest {

    static final Composer COMPOSER = new Composer(ModuleRegistry.of(
            List.of(
                    new ChannelAttentionModule(),
                    new SimAmModule(),
                    new SqueezeExcitationModule(),
                    new EfficientChannelAttentionModule(),
                    new CoordinateAttentionModule(),
                    new BamModule(),
                    new AcMixModule()),
            List.of(new ScModule()),
            List.of(new ResNetBackbone(), new MobileNetBackbone(), new ConvNeXtBackbone())));

    private static final Shape INPUT = new Shape(4, 1, 32, 32);

    private static Composition compose(String backbone, String module, double width) {
        return COMPOSER.compose(ModelNames.parse(backbone + "+" + module).withWidth(width), 1, 7);
    }

    @ParameterizedTest
    @CsvSource({
        "mobilenet_v2, 0.5, ca, true",
        "mobilenet_v2, 0.5, simam, false",
        "mobilenet_v2, 0.5, se, true",
        "mobilenet_v2, 0.5, eca, true",
        "mobilenet_v2, 0.5, coord, true",
        "mobilenet_v2, 0.5, bam, true",
        "mobilenet_v2, 0.5, sc, true",
        "convnext_tiny, 0.3333333, ca, true",
        "convnext_tiny, 0.3333333, simam, false",
        "convnext_tiny, 0.3333333, se, true",
        "convnext_tiny, 0.3333333, eca, true",
        "convnext_tiny, 0.3333333, coord, true",
        "convnext_tiny, 0.3333333, bam, true"
    })
    void insertsAtItsDefaultPlace(String backbone, double width, String module, boolean hasParameters) {
        Composition plain = compose(backbone, "simam", width);
        Composition c = compose(backbone, module, width);
        assertThat(c.placements()).singleElement().asString().doesNotContain(": 0 sites");
        long added = StateDict.trainableCount(c.block()) - StateDict.trainableCount(plain.block());
        assertThat(added > 0).as("%s adds parameters", module).isEqualTo(hasParameters);
        assertThat(ModuleChecks.outputShape(c.block(), INPUT)).isEqualTo(new Shape(4, 7));
        ModuleChecks.backwardFinite(compose(backbone, module, width).block(), INPUT);
        try (NDManager manager = NDManager.newBaseManager()) {
            Composition fresh = compose(backbone, module, width);
            fresh.block().initialize(manager, DataType.FLOAT32, INPUT);
            List<ModelStats.Layer> layers = ModelStats.trace(fresh.block(), new Shape(1, 32, 32));
            assertThat(layers.get(0).params()).isEqualTo(StateDict.trainableCount(c.block()));
        }
    }

    /** bfloat16 training on every family with every module that goes there, ResNet's own included. */
    @ParameterizedTest
    @CsvSource({
        "resnet18, 0.25, ca",
        "resnet18, 0.25, simam",
        "resnet18, 0.25, se",
        "resnet18, 0.25, eca",
        "resnet18, 0.25, coord",
        "resnet18, 0.25, bam",
        "resnet18, 0.25, acmix",
        "resnet18, 0.25, sc",
        "mobilenet_v2, 0.5, ca",
        "mobilenet_v2, 0.5, coord",
        "mobilenet_v2, 0.5, sc",
        "convnext_tiny, 0.3333333, eca",
        "convnext_tiny, 0.3333333, bam"
    })
    void trainsInBfloat16(String backbone, double width, String module) {
        ModuleChecks.backwardFiniteInBfloat16(compose(backbone, module, width).block(), INPUT);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "mobilenet_v2 | acmix | cannot go to 'bottleneck.conv2': MobileNetV2's blocks have no dense 3×3 convolution",
                "convnext_tiny | acmix | cannot go to 'bottleneck.conv2': ConvNeXt's blocks have no 3×3 convolution",
                "convnext_tiny | sc | cannot go to 'stem.conv1': ConvNeXt's stem is a 4×4 stride-4 patchify convolution"
            })
    void isRefusedWithTheFamilysReason(String backbone, String module, String reason) {
        assertThatThrownBy(() -> compose(backbone, module, 1))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("module '" + module + "' " + reason);
    }
}
