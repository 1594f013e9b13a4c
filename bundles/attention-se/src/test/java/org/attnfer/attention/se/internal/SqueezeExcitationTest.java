package org.attnfer.attention.se.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.attnfer.backbone.resnet.Bottleneck;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class SqueezeExcitationTest {

    private static final SqueezeExcitationModule MODULE = new SqueezeExcitationModule();

    private static Block se(int channels, Map<String, ?> raw) {
        return Modules.attention(MODULE, channels, raw);
    }

    @Test
    void matchesGoldens() {
        Parity.check("se", () -> se(64, Map.of()));
        Parity.check("se_nobias", () -> se(64, Map.of("bias", false)));
        Parity.check(
                "bottleneck_se",
                () -> new Bottleneck(
                        64, 32, 2, 1, 0, new AtHook().put(Hooks.AFTER_BN3, "se", s -> se(s.channels(), Map.of()))));
    }

    @Test
    void parameterCountsFollowTheFormula() {
        assertThat(StateDict.trainableCount(se(2048, Map.of()))).isEqualTo(2L * 2048 * 128 + 128 + 2048);
        assertThat(StateDict.trainableCount(se(64, Map.of("bias", false)))).isEqualTo(512);
    }

    @Test
    void shapesAndConformance() throws Exception {
        for (Shape s : new Shape[] {new Shape(2, 32, 13, 13), new Shape(3, 32, 9, 5), new Shape(1, 32, 1, 1)}) {
            assertThat(ModuleChecks.outputShape(se(32, Map.of()), s)).isEqualTo(s);
        }
        Modules.conformance(() -> se(32, Map.of()), new Shape(2, 32, 7, 5), false);
        assertThatThrownBy(() -> se(64, Map.of("reduction", 0))).hasMessage("reduction must be ≥ 1, got 0");
    }
}
