package org.attnfer.attention.acmix.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.attnfer.backbone.resnet.Bottleneck;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.testkit.AtHook;
import org.attnfer.testkit.Goldens;
import org.attnfer.testkit.ModuleChecks;
import org.attnfer.testkit.Modules;
import org.attnfer.testkit.Parity;
import org.junit.jupiter.api.Test;

class AcMixTest {

    private static final AcMixModule MODULE = new AcMixModule();

    private static Block acmix(int channels, int stride) {
        return Modules.replacing(MODULE, channels, stride, Map.of());
    }

    @Test
    void reflectionRepeatsWhenThePaddingExceedsTheSize() {
        // n = 3: … 1 2 | 0 1 2 | 1 0 1 …
        assertThat(new int[] {
                    AcMix.reflect(-3, 3),
                    AcMix.reflect(-2, 3),
                    AcMix.reflect(-1, 3),
                    AcMix.reflect(3, 3),
                    AcMix.reflect(5, 3)
                })
                .containsExactly(1, 2, 1, 1, 1);
        assertThat(AcMix.reflect(-3, 1)).isZero();
        assertThat(AcMix.reflect(-2, 2)).isZero();
    }

    @Test
    void matchesGoldensAtStrideOneAndTwoIncludingThreeByThree() {
        Parity.check("acmix", () -> acmix(64, 1));
        Parity.check("acmix_s2", () -> acmix(64, 2));
        Parity.check(
                "bottleneck_acmix",
                () -> new Bottleneck(
                        64, 32, 2, 1, 0, new AtHook().put(Hooks.CONV2, "acmix", s -> acmix(s.channels(), s.stride()))));
    }

    @Test
    void itsOwnInitialisationIsTheOfficialOne() {
        Goldens.Golden golden = Goldens.load("acmix_init");
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = acmix(64, 1);
            b.initialize(m, DataType.FLOAT32, new Shape(1, 64, 6, 6));
            Map<String, Tensor> ours = StateDict.export(b);
            assertThat(ours.get("rate1").data()).containsExactly(0.5f);
            assertThat(ours.get("rate2").data()).containsExactly(0.5f);
            assertThat(ours.get("dep_conv.weight")).isEqualTo(golden.weights().get("dep_conv.weight"));
        }
        Parity.check("acmix_init", () -> acmix(64, 1));
    }

    @Test
    void parameterCountsOfTheSpecification() {
        assertThat(StateDict.trainableCount(acmix(64, 1))).isEqualTo(17_822);
        assertThat(StateDict.trainableCount(acmix(128, 2))).isEqualTo(60_110);
        assertThat(StateDict.trainableCount(acmix(512, 1))).isEqualTo(829_934);
    }

    @Test
    void shapesOnSmallOddAndNonSquareMaps() {
        assertThat(ModuleChecks.outputShape(acmix(16, 1), new Shape(2, 16, 9, 5)))
                .isEqualTo(new Shape(2, 16, 9, 5));
        assertThat(ModuleChecks.outputShape(acmix(16, 2), new Shape(2, 16, 13, 7)))
                .isEqualTo(new Shape(2, 16, 7, 4));
        assertThat(ModuleChecks.outputShape(acmix(16, 2), new Shape(1, 16, 3, 3)))
                .isEqualTo(new Shape(1, 16, 2, 2));
        assertThat(ModuleChecks.outputShape(acmix(16, 1), new Shape(1, 16, 1, 1)))
                .isEqualTo(new Shape(1, 16, 1, 1));
    }

    @Test
    void slotByslotAndDenseWindowsAgreeWhereverTheyRun() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int stride : new int[] {1, 2}) {
                AcMix block = new AcMix(32, 4, 7, 3, stride);
                for (Shape map : new Shape[] {new Shape(3, 8, 17, 11), new Shape(3, 8, 4, 3), new Shape(3, 8, 1, 6)}) {
                    NDArray keys = m.randomNormal(map);
                    NDArray values = m.randomNormal(map);
                    NDArray queries = m.randomNormal(map)
                            .get(new NDIndex()
                                    .addAllDim(2)
                                    .addSliceDim(0, map.get(2), stride)
                                    .addSliceDim(0, map.get(3), stride));
                    NDList slots = block.bySlot(queries, keys, values);
                    NDList dense = block.dense(queries, keys, values);
                    assertThat(slots.get(0).allClose(dense.get(0), 1e-4, 1e-5, false))
                            .as("output, %s stride %d", map, stride)
                            .isTrue();
                    assertThat(slots.get(1).allClose(dense.get(1), 1e-4, 1e-5, false))
                            .as("weights, %s stride %d", map, stride)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void conformanceAndBadSettings() throws Exception {
        Modules.conformance(() -> acmix(16, 2), new Shape(2, 16, 6, 5), false);
        // beyond 14×14 outputs the windows are taken slot by slot
        Modules.conformance(() -> acmix(16, 1), new Shape(1, 16, 16, 15), false);
        assertThatThrownBy(() -> Modules.replacing(MODULE, 64, 1, Map.of("heads", 5)))
                .hasMessage("heads (5) must divide the channels (64)");
        assertThatThrownBy(() -> Modules.replacing(MODULE, 64, 1, Map.of("k_att", 6)))
                .hasMessageContaining("must be odd");
    }
}
