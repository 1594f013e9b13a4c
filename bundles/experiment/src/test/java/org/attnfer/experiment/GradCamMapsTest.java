package org.attnfer.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.attnfer.eval.GradCam;
import org.junit.jupiter.api.Test;

/** Grad-CAM of composed networks, and which module's own map goes next to it. */
class GradCamMapsTest {

    @Test
    void theFirstModuleWithASpatialMapIsShownEvenAfterAChannelOnlyOne() {
        // CA (channel weights only) comes first in every block; SimAM (spatial energies) second
        Block model = ExperimentTest.COMPOSER.compose("resnet18+ca+simam", 1, 3).block();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
            GradCam.Maps maps = new GradCam(model, GradCam.defaultLayer(model))
                    .compute(m, m.randomNormal(new Shape(2, 1, 32, 32)), new int[] {0, 2});
            assertThat(maps.moduleName()).isEqualTo("layer1.0.simam");
            assertThat(maps.module()).hasDimensions(2, 32);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float[] row : maps.module()[0]) {
                for (float v : row) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            // scaled from the map's own minimum to its maximum
            assertThat(min).isZero();
            assertThat(max).isEqualTo(1f);
        }
    }

    @Test
    void theMapsOfABatchEqualEachImagesMapsAlone() {
        // ResNet18 at 64×64 has a 256 → 512 1×1 downsample on a 4×4 map, which oneDNN's channels-last
        // convolution got wrong for batches of two and more on the machine of 2026-12-04
        Block model = ExperimentTest.COMPOSER.compose("resnet18", 1, 7).block();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(2, 1, 64, 64));
            NDArray images = m.randomUniform(0f, 1f, new Shape(3, 1, 64, 64));
            int[] classes = {0, 3, 6};
            GradCam cam = new GradCam(model, GradCam.defaultLayer(model));
            float[][][] together = cam.compute(m, images, classes).cam();
            for (int i = 0; i < 3; i++) {
                float[][] alone = cam.compute(m, images.get(new NDIndex("{}:{}", i, i + 1)), new int[] {classes[i]})
                        .cam()[0];
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        assertThat(together[i][y][x])
                                .as("image %d at (%d, %d)", i, y, x)
                                .isCloseTo(alone[y][x], within(1e-4f));
                    }
                }
            }
        }
    }
}
