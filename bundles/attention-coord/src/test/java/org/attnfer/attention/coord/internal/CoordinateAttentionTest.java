package org.attnfer.attention.coord.internal;

import static org.assertj.core.api.Assertions.assertThat;

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

class CoordinateAttentionTest {

    private static final CoordinateAttentionModule MODULE = new CoordinateAttentionModule();

    private static Block coord(int channels) {
        return Modules.attention(MODULE, channels, Map.of());
    }

    @Test
    void matchesGoldensIncludingNonSquare() {
        Parity.check("coord", () -> coord(64));
        Parity.check(
                "bottleneck_coord",
                () -> new Bottleneck(
                        64, 32, 2, 1, 0, new AtHook().put(Hooks.AFTER_BN3, "coord", s -> coord(s.channels()))));
    }

    @Test
    void parameterCountsOfTheSpecification() {
        assertThat(StateDict.trainableCount(coord(64))).isEqualTo(1688);
        assertThat(StateDict.trainableCount(coord(256))).isEqualTo(6680);
        assertThat(StateDict.trainableCount(coord(2048))).isEqualTo(397_504);
        assertThat(StateDict.parameters(coord(64)).keySet())
                .contains("conv1.bias", "bn1.running_var", "conv_h.weight", "conv_w.bias");
    }

    @Test
    void shapesAndConformance() throws Exception {
        for (Shape s : new Shape[] {
            new Shape(2, 32, 13, 13), new Shape(3, 32, 9, 5), new Shape(2, 32, 1, 1), new Shape(2, 32, 1, 6)
        }) {
            assertThat(ModuleChecks.outputShape(coord(32), s)).isEqualTo(s);
        }
        Modules.conformance(() -> coord(32), new Shape(4, 32, 7, 5), true);
    }
}
