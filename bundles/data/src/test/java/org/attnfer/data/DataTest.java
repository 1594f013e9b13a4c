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
}
