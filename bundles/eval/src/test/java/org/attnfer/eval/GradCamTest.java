package org.attnfer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GradCamTest {

    @Test
    void mapsAreScaledFromZeroForGradCamAndFromTheirMinimumForGates() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a 2×2 map resized to 4×4: the corner pixels keep the map's values (clamped borders)
            var map = m.create(new float[] {1, 1, 1, 3}, new Shape(1, 2, 2));
            float[][] cam = GradCam.resize(map, 4, 4, true)[0];
            float[][] gate = GradCam.resize(map, 4, 4, false)[0];
            assertThat(cam[0][0]).isCloseTo(1f / 3, within(1e-6f));
            assertThat(cam[3][3]).isEqualTo(1f);
            assertThat(gate[0][0]).isZero();
            assertThat(gate[3][3]).isEqualTo(1f);
            // bilinear in between: pixel (2, 2) sits at 0.75 of the way from 1 to 3 on both axes
            assertThat(gate[2][2]).isCloseTo(0.75f * 0.75f, within(1e-6f));
            // a constant gate carries no contrast: all zero rather than a division by zero
            float[][] flat = GradCam.resize(m.ones(new Shape(1, 2, 2)), 3, 3, false)[0];
            assertThat(flat[1][1]).isZero();
        }
    }
}
