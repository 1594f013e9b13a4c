package org.attnfer.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.attnfer.eval.GradCam;
import org.junit.jupiter.api.Test;

/** Which module's own map goes next to Grad-CAM. */
class ModuleMapsTest {

    @Test
    void theFirstModuleWithASpatialMapIsShownEvenAfterAChannelOnlyOne() {
        // CA (channel weights only) comes first in every block; SimAM (spatial energies) second
        Block model = ExperimentTest.COMPOSER.compose("resnet18+ca+simam", 1, 3).block();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
            GradCam.Maps maps = new GradCam(model, GradCam.defaultLayer(model)).compute(m, m.randomNormal(new Shape(2, 1, 32, 32)), new int[] {0, 2});
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
}
