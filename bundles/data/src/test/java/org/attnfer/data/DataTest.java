package org.attnfer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {

    @TempDir Path dir;

    private Dataset open(Path folder) throws IOException {
        ImageFolderProvider p = new ImageFolderProvider();
        return p.open(Params.validate(p.options(), Map.of("path", folder.toString())), dir);
    }

    @Test
    void emotionFoldersMapToCanonicalClassesInFer2013Order() throws IOException {
        Fixtures.imageFolder(dir.resolve("raf"), List.of("Surprise", "Anger", "happiness", "Sadness"), 3, 20, 1);
        Dataset d = open(dir.resolve("raf"));
        assertThat(d.classes()).containsExactly("angry", "happy", "sad", "surprise");
        assertThat(d.size()).isEqualTo(12);
        assertThat(d.describe()).contains("Anger → angry", "Sadness → sad");
        assertThat(d.get(0).label()).isEqualTo(d.classes().indexOf("angry"));
        assertThat(d.get(0).id()).isEqualTo("Anger/Anger_000.png");
    }

    @Test
    void otherFoldersKeepTheirNamesSorted() throws IOException {
        Fixtures.imageFolder(dir.resolve("x"), List.of("zebra", "apple"), 2, 16, 1);
        assertThat(open(dir.resolve("x")).classes()).containsExactly("apple", "zebra");
    }

    @Test
    void badFoldersAreNamed() throws IOException {
        assertThatThrownBy(() -> open(dir.resolve("missing"))).hasMessageContaining("missing does not exist");
        Files.createDirectories(dir.resolve("empty/happy"));
        assertThatThrownBy(() -> open(dir.resolve("empty"))).hasMessageContaining("class folder").hasMessageContaining("happy has no images");
        Fixtures.imageFolder(dir.resolve("broken"), List.of("happy", "sad"), 1, 16, 1);
        Files.writeString(dir.resolve("broken/sad/zz_corrupt.png"), "not an image");
        Dataset d = open(dir.resolve("broken"));
        assertThatThrownBy(() -> d.get(d.size() - 1)).hasMessageContaining("zz_corrupt.png");
    }

    @Test
    void stratifiedSplitIsSeededAndKeepsClassShares() throws IOException {
        Fixtures.imageFolder(dir.resolve("s"), List.of("happy", "sad", "fear"), 10, 16, 1);
        Dataset d = open(dir.resolve("s"));
        Split a = Split.stratified(d, 0.2, 7);
        Split b = Split.stratified(d, 0.2, 7);
        assertThat(a.validation()).containsExactly(b.validation());
        assertThat(a.validation()).hasSize(6);
        assertThat(a.train()).hasSize(24);
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertThat(Arrays.stream(a.validation()).filter(i -> d.label(i) == cls).count()).isEqualTo(2);
        }
        assertThat(Split.stratified(d, 0.2, 8).validation()).isNotEqualTo(a.validation());
        assertThatThrownBy(() -> Split.stratified(d, 1.0, 1)).hasMessageContaining("[0, 1)");
    }

    @Test
    void batchesArriveInOrderNormalisedAndComplete() throws IOException {
        Fixtures.imageFolder(dir.resolve("b"), List.of("happy", "sad"), 5, 12, 1);
        Dataset d = open(dir.resolve("b"));
        int[] order = Batches.shuffled(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 3);
        assertThat(order).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        InputSpec input = new InputSpec(1, 24);
        try (Batches batches = new Batches(d, order, input, 4, 2)) {
            assertThat(batches.count()).isEqualTo(3);
            int seen = 0;
            while (batches.hasNext()) {
                Batch b = batches.next();
                for (int k = 0; k < b.size(); k++) {
                    assertThat(b.indices()[k]).isEqualTo(order[seen + k]);
                    assertThat(b.labels()[k]).isEqualTo(d.label(order[seen + k]));
                }
                seen += b.size();
                for (float v : b.data()) {
                    assertThat(v).isBetween(-1f, 1f);
                }
                assertThat(b.data()).hasSize(b.size() * 24 * 24);
            }
            assertThat(seen).isEqualTo(10);
        }
    }

    @Test
    void grayAndRgbConversion() {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(1, 0, 0xffffff);
        float[] rgb = new float[3 * 64];
        Pixels.write(img, new InputSpec(3, 8), rgb, 0);
        // channel-major: red plane, then green, then blue; values scaled to [-1, 1]
        assertThat(new float[] {rgb[0], rgb[64], rgb[128]}).containsExactly(1f, -1f, -1f);
        assertThat(new float[] {rgb[1], rgb[65], rgb[129], rgb[2]}).containsExactly(1f, 1f, 1f, -1f);
        float[] gray = new float[64];
        Pixels.write(img, new InputSpec(1, 8), gray, 0);
        assertThat(gray[0]).isCloseTo(2 * 0.299f - 1, within(1e-6f));
        assertThat(gray[1]).isCloseTo(1f, within(1e-6f));
        assertThatThrownBy(() -> new InputSpec(2, 48)).hasMessageContaining("1 or 3");
    }

    @Test
    void augmentationIsRepeatablePerSeedEpochAndItemAndChangesAcrossEpochs() throws IOException {
        Fixtures.imageFolder(dir.resolve("a"), List.of("happy", "sad"), 4, 20, 1);
        Dataset d = open(dir.resolve("a"));
        Augmentation aug = Augmentation.of(Params.defaults(Augmentation.OPTIONS));
        InputSpec input = new InputSpec(1, 16);
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] a = first(new Batches(d, order, input, 8, 2, aug, 7, 1, false));
        float[] b = first(new Batches(d, order, input, 8, 1, aug, 7, 1, false));
        float[] c = first(new Batches(d, order, input, 8, 2, aug, 7, 2, false));
        float[] plain = first(new Batches(d, order, input, 8, 2));
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c).isNotEqualTo(plain);
    }

    @Test
    void aFlipOnlyAugmentationMirrorsOrKeepsTheImage() throws IOException {
        Fixtures.imageFolder(dir.resolve("f"), List.of("happy", "sad"), 2, 16, 1);
        Dataset d = open(dir.resolve("f"));
        Augmentation flip = new Augmentation(0, true, 0, 0, 0, 0, 0);
        InputSpec input = new InputSpec(1, 16);
        float[] plain = first(new Batches(d, new int[] {0}, input, 1, 1));
        boolean mirrored = false;
        for (int epoch = 0; epoch < 8; epoch++) {
            float[] x = first(new Batches(d, new int[] {0}, input, 1, 1, flip, 3, epoch, false));
            float[] reversed = new float[256];
            for (int y = 0; y < 16; y++) {
                for (int col = 0; col < 16; col++) {
                    reversed[y * 16 + col] = plain[y * 16 + 15 - col];
                }
            }
            assertThat(java.util.Arrays.equals(x, plain) || java.util.Arrays.equals(x, reversed)).isTrue();
            mirrored |= java.util.Arrays.equals(x, reversed);
        }
        assertThat(mirrored).isTrue();
    }

    @Test
    void tenCropGivesTenViewsPerItemTheLastFiveMirrored() throws IOException {
        Fixtures.imageFolder(dir.resolve("t"), List.of("happy", "sad"), 2, 24, 1);
        Dataset d = open(dir.resolve("t"));
        InputSpec input = new InputSpec(1, 16);
        try (Batches b = new Batches(d, new int[] {0, 1, 2}, input, 2, 1, Augmentation.NONE, 0, 0, true)) {
            Batch batch = b.next();
            assertThat(batch.size()).isEqualTo(2);
            assertThat(batch.rows(input)).isEqualTo(20);
            // view 5 is view 0 mirrored
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    assertThat(batch.data()[5 * 256 + y * 16 + x]).isEqualTo(batch.data()[y * 16 + 15 - x]);
                }
            }
        }
    }

    private static float[] first(Batches batches) {
        try (batches) {
            return batches.next().data();
        }
    }
}
