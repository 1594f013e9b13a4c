package org.attnfer.sampling.sc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.attnfer.api.Site;
import org.attnfer.nn.StateDict;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class ScTest {

    @Test
    void spaceToDepthUsesTheFocusOrderAndPadsOddSizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one channel, 3×3: values 1..9 row by row
            NDArray x = m.arange(1f, 10f).reshape(1, 1, 3, 3);
            NDArray y = SpaceToDepth.apply(x);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 4, 2, 2));
            // group 0: (0,0) even rows/cols; group 1: (dy=1, dx=0); group 2: (0, 1); group 3: (1, 1); padding is 0
            assertThat(y.toFloatArray()).containsExactly(1, 3, 7, 9, 4, 6, 0, 0, 2, 0, 8, 0, 5, 0, 0, 0);
        }
    }

    @Test
    void matchesGoldens() {
        Parity.check("spd", () -> new SpaceToDepth());
        Parity.check("sc", () -> new ScBlock(3, 64, 3));
    }

    @Test
    void replacesTheStemConvolutionUnderItsName() {
        var sc = Modules.sampling(new ScModule(), 3, 64, Map.of());
        assertThat(StateDict.parameters(sc).keySet()).containsExactly("weight");
        assertThat(StateDict.trainableCount(sc)).isEqualTo(6912);
        assertThat(ModuleChecks.outputShape(sc, new Shape(2, 3, 13, 9))).isEqualTo(new Shape(2, 64, 7, 5));
        assertThat(StateDict.trainableCount(Modules.sampling(new ScModule(), 1, 64, Map.of("kernel", 5))))
                .isEqualTo(64 * 4 * 25);
        assertThat(StateDict.trainableCount(Modules.sampling(new StridedModule(), 3, 64, Map.of())))
                .isEqualTo(9408);
    }

    @Test
    void conformanceAndBadSettings() throws Exception {
        Modules.conformance(() -> new ScBlock(3, 16, 3), new Shape(4, 3, 9, 6), true);
        assertThatThrownBy(() -> Modules.sampling(new ScModule(), 3, 64, Map.of("kernel", 4)))
                .hasMessage("kernel must be odd, got 4");
        assertThatThrownBy(() -> Modules.sampling(new StridedModule(), 3, 64, Map.of("kernel", 6)))
                .hasMessage("kernel must be odd, got 6");
        ScModule sc = new ScModule();
        assertThatThrownBy(
                        () -> sc.create(3, sc.info().validate(Map.of()), new Site("stem.conv1", 0, -1, 3, 64, 1, "")))
                .hasMessageContaining("SC replaces a stride-2 convolution");
    }
}
