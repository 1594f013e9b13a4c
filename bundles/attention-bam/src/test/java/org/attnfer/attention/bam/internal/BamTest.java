package org.attnfer.attention.bam.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class BamTest {

    private static final BamModule MODULE = new BamModule();

    private static Block bam(int channels, Map<String, ?> raw) {
        return Modules.attention(MODULE, channels, raw);
    }

    @Test
    void matchesGoldensForProductAndSum() {
        Parity.check("bam", () -> bam(64, Map.of()));
        Parity.check("bam_sum", () -> bam(64, Map.of("combine", "sum")));
    }

    @Test
    void parameterCountsOfTheSpecification() {
        assertThat(StateDict.trainableCount(bam(64, Map.of()))).isEqualTo(1173);
        assertThat(StateDict.trainableCount(bam(256, Map.of()))
                        + StateDict.trainableCount(bam(512, Map.of()))
                        + StateDict.trainableCount(bam(1024, Map.of())))
                .isEqualTo(358_067);
        assertThat(MODULE.info().defaultHook()).isEqualTo("stage_end");
        assertThat(MODULE.info().defaultStages()).containsExactly(1, 2, 3);
    }

    @Test
    void shapesAndConformance() throws Exception {
        for (Shape s : new Shape[] {new Shape(2, 64, 13, 13), new Shape(3, 64, 9, 5), new Shape(2, 64, 1, 1)}) {
            assertThat(ModuleChecks.outputShape(bam(64, Map.of()), s)).isEqualTo(s);
        }
        Modules.conformance(() -> bam(64, Map.of()), new Shape(4, 64, 7, 5), true);
        assertThatThrownBy(() -> bam(64, Map.of("combine", "max")))
                .hasMessage("combine must be one of product, sum, got max");
    }
}
