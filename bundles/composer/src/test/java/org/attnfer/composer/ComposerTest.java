package org.attnfer.composer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.Backbone;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookPoint;
import org.attnfer.api.Insertions;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.attnfer.attention.ca.internal.ChannelAttentionModule;
import org.attnfer.attention.simam.internal.SimAmModule;
import org.attnfer.backbone.resnet.Bottleneck;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.backbone.resnet.internal.ResNetBackbone;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class ComposerTest {

    static final SimAmModule SIMAM = new SimAmModule();
    static final ChannelAttentionModule CA = new ChannelAttentionModule();
    static final Composer COMPOSER =
            new Composer(ModuleRegistry.of(List.of(SIMAM, CA), List.of(), List.of(new ResNetBackbone())));

    @Test
    void parameterCountsOfTheSpecification() {
        assertThat(StateDict.trainableCount(COMPOSER.compose("resnet50", 3, 7).block()))
                .isEqualTo(23_522_375);
        assertThat(StateDict.trainableCount(
                        COMPOSER.compose("resnet50+ca", 3, 7).block()))
                .isEqualTo(26_053_367);
        assertThat(StateDict.trainableCount(
                        COMPOSER.compose("resnet50+simam", 3, 7).block()))
                .isEqualTo(23_522_375);
        assertThat(StateDict.trainableCount(
                        COMPOSER.compose("resnet50+simam+ca", 3, 7).block()))
                .isEqualTo(26_053_367);
        assertThat(StateDict.trainableCount(
                        COMPOSER.compose("resnet50+ca", 3, 1000).block()))
                .isEqualTo(28_088_024);
    }

    @Test
    void modulesGoToEveryBlockUnderTheirReferenceNames() {
        Composition c = COMPOSER.compose("resnet50+simam+ca", 3, 7);
        Map<String, Block> blocks = StateDict.blocks(c.block());
        assertThat(blocks).containsKeys("layer1.0.simam", "layer1.0.ca", "layer4.2.ca");
        assertThat(StateDict.parameters(c.block())).containsKeys("layer3.5.ca.fc1.weight", "layer2.0.ca.fc2.bias");
        assertThat(c.placements())
                .containsExactly(
                        "simam at bottleneck.after_bn3 stages [1, 2, 3, 4]: 16 sites",
                        "ca at bottleneck.after_bn3 stages [1, 2, 3, 4]: 16 sites");
        assertThat(c.spec().shorthand())
                .isEqualTo("resnet50+simam(lambda=1.0E-4)@bottleneck.after_bn3[1,2,3,4]"
                        + "+ca(reduction=16,bias=true)@bottleneck.after_bn3[1,2,3,4]");
    }

    @Test
    void stageFiltersAndHookOverrides() {
        Composition c = COMPOSER.compose("resnet18+ca(reduction=8)[3,4]+simam@bottleneck.after_conv2[1]", 1, 7);
        Map<String, Block> blocks = StateDict.blocks(c.block());
        assertThat(blocks).containsKeys("layer3.0.ca", "layer4.1.ca", "layer1.0.simam", "layer1.1.simam");
        assertThat(blocks).doesNotContainKeys("layer1.0.ca", "layer2.1.ca", "layer2.0.simam");
        assertThat(StateDict.parameters(c.block())
                        .get("layer3.0.ca.fc1.weight")
                        .getShape()
                        .get(0))
                .isEqualTo(256 / 8);
    }

    @Test
    void theOrderOfModulesAtOneHookIsTheOrderOfTheName() {
        Parity.check("bottleneck_simam_ca", () -> bottleneck("simam", "ca"));
        Parity.check("bottleneck_ca_simam", () -> bottleneck("ca", "simam"));
    }

    private static Bottleneck bottleneck(String first, String second) {
        AtHook hooks = new AtHook();
        for (String id : List.of(first, second)) {
            AttentionModule m = id.equals("ca") ? CA : SIMAM;
            hooks.put(
                    Hooks.AFTER_BN3,
                    id,
                    s -> m.create(s.channels(), Params.defaults(m.info().params()), s));
        }
        return new Bottleneck(64, 32, 2, 1, 0, hooks);
    }

    @Test
    void problemsAreNamedBeforeAnythingIsBuilt() {
        assertThatThrownBy(() -> COMPOSER.compose("resnet50+eca", 3, 7))
                .hasMessageStartingWith("model 'resnet50+eca': unknown module 'eca' (known: ca, simam)");
        assertThatThrownBy(() -> COMPOSER.compose("resnet49+ca", 3, 7))
                .hasMessageContaining("unknown backbone 'resnet49' (known: resnet18, resnet34, resnet50, resnet101)");
        assertThatThrownBy(() -> COMPOSER.compose("resnet50+ca(reduction=0)", 3, 7))
                .hasMessage("model 'resnet50+ca(reduction=0)': module 'ca': reduction must be ≥ 1, got 0");
        assertThatThrownBy(() -> COMPOSER.compose("resnet50+ca(ratio=4)", 3, 7))
                .hasMessageContaining("module 'ca': unknown parameter 'ratio' (known: bias, reduction)");
        assertThatThrownBy(() -> COMPOSER.compose("resnet50+ca@neck", 3, 7))
                .hasMessageContaining("the backbone has no hook 'neck' (hooks: stem.conv1, stem,");
        assertThatThrownBy(() -> COMPOSER.compose("resnet50+ca[5]", 3, 7))
                .hasMessageContaining("hook 'bottleneck.after_bn3' has no stage 5");
        assertThatThrownBy(() -> COMPOSER.compose(new ModelSpec("resnet50", "huge", List.of()), 3, 7))
                .hasMessageContaining("unknown stem 'huge' (known: standard, small, half)");
    }

    @Test
    void widthScalesTheBackboneAndTheModulesItCarries() {
        Composition c = COMPOSER.compose(new ModelSpec("resnet18", "half", List.of(ModuleUse.of("ca")), 0.5), 1, 7);
        assertThat(c.backbone().width()).isEqualTo(0.5);
        assertThat(c.spec().width()).isEqualTo(0.5);
        // CA's first layer at reduction 16: layer4 has 256 channels at half width, 512 at full
        assertThat(StateDict.parameters(c.block()).get("layer4.1.ca.fc1.weight").getShape())
                .isEqualTo(new Shape(16, 256));
        assertThat(c.spec().withWidth(2).width()).isEqualTo(2);
        assertThat(c.spec().describe()).startsWith("resnet18+ca(").endsWith(", half stem, width 0.5");
        assertThat(ModelNames.parse("resnet18").describe()).isEqualTo("resnet18");
        assertThat(c.spec().withWidth(2).describe()).endsWith(", half stem, width 2");
        assertThatThrownBy(() -> new ModelSpec("resnet18", null, List.of(), -1))
                .hasMessageContaining("width must be a positive number, got -1");

        Composer fixed = new Composer(ModuleRegistry.of(List.of(), List.of(), List.of(new FixedWidth())));
        assertThat(StateDict.trainableCount(fixed.compose("resnet18", 3, 7).block()))
                .isEqualTo(11_180_103);
        assertThatThrownBy(() -> fixed.compose(new ModelSpec("resnet18", null, List.of(), 0.5), 3, 7))
                .isInstanceOf(CompositionException.class)
                .hasMessage("model 'resnet18': backbone fixed has no width setting (width 0.5)");
    }

    /** ResNet under another id, without a width setting (the interface's default). */
    private static final class FixedWidth implements Backbone {
        private final ResNetBackbone resnet = new ResNetBackbone();

        @Override
        public String id() {
            return "fixed";
        }

        @Override
        public String doc() {
            return "ResNet at its published width";
        }

        @Override
        public List<String> variants() {
            return resnet.variants();
        }

        @Override
        public List<String> stems() {
            return resnet.stems();
        }

        @Override
        public List<HookPoint> hooks() {
            return resnet.hooks();
        }

        @Override
        public Block build(BackboneSpec spec, Insertions insertions) {
            return resnet.build(spec, insertions);
        }
    }

    @Test
    void aFailingFactoryIsReportedWithModuleAndPlace() {
        AttentionModule broken = new AttentionModule() {
            @Override
            public ModuleInfo info() {
                return new ModuleInfo("broken", "Broken", "-", Hooks.AFTER_BN3, List.of(), List.of());
            }

            @Override
            public Block create(int channels, Params params, Site site) {
                throw new IllegalArgumentException("needs 3 channels, got " + channels);
            }
        };
        Composer c = new Composer(ModuleRegistry.of(List.of(broken), List.of(), List.of(new ResNetBackbone())));
        assertThatThrownBy(() -> c.compose("resnet18+broken", 3, 7))
                .isInstanceOf(CompositionException.class)
                .hasMessage("model 'resnet18+broken': module 'broken' (built-in -) at layer1.0 (bottleneck.after_bn3): "
                        + "needs 3 channels, got 64");
    }

    @Test
    void shorthandGrammar() {
        ModelSpec s = ModelNames.parse(" ResNet50+ECA(k_size=3, gamma=2)@bottleneck.after_bn3[2,3]+simam ");
        assertThat(s.backbone()).isEqualTo("resnet50");
        assertThat(s.modules()).hasSize(2);
        assertThat(s.modules().get(0).params()).containsExactly(Map.entry("k_size", "3"), Map.entry("gamma", "2"));
        assertThat(s.modules().get(0).stages()).containsExactly(2, 3);
        assertThatThrownBy(() -> ModelNames.parse("resnet50+"))
                .hasMessage("model 'resnet50+': expected a module id at the end");
        assertThatThrownBy(() -> ModelNames.parse("resnet50+ca(reduction=)"))
                .hasMessageContaining("expected a value after 'reduction='");
        assertThatThrownBy(() -> ModelNames.parse("resnet50 ca")).hasMessageContaining("expected '+' at ' ca'");
    }
}
