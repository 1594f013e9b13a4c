package org.attnfer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {

    @TempDir
    Path dir;

    private Dataset open(Path folder) throws IOException {
        return open(folder, Map.of());
    }

    private Dataset open(Path folder, Map<String, Object> options) throws IOException {
        ImageFolderProvider p = new ImageFolderProvider();
        Map<String, Object> raw = new HashMap<>(options);
        raw.put("path", folder.toString());
        return p.open(Params.validate(p.options(), raw), dir);
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
    void aFolderThatIsNoEmotionStopsUnlessMappedOrAllowed() throws IOException {
        Fixtures.imageFolder(dir.resolve("x"), List.of("happy", "sad", "foo", "Joy2"), 2, 16, 1);
        assertThatThrownBy(() -> open(dir.resolve("x")))
                .hasMessageContaining("class folders Joy2, foo are not one of the seven emotions")
                .hasMessageContaining("classes=\"Joy2=happy\"")
                .hasMessageContaining("extra_classes=allow");
        Dataset mapped = open(dir.resolve("x"), Map.of("classes", "Joy2=happiness, foo=skip"));
        assertThat(mapped.classes()).containsExactly("happy", "sad");
        assertThat(mapped.size()).isEqualTo(6);
        assertThat(mapped.describe()).contains("Joy2 → happy", "foo → left out");
        Dataset allowed = open(dir.resolve("x"), Map.of("extra_classes", "allow", "classes", "Joy2=happy"));
        assertThat(allowed.classes()).containsExactly("happy", "sad", "foo");
        assertThatThrownBy(() -> open(dir.resolve("x"), Map.of("classes", "Joy2=glee, foo=skip")))
                .hasMessageContaining("Joy2=glee is not one of angry");
        assertThatThrownBy(() -> open(dir.resolve("x"), Map.of("classes", "Joy2=happy, foo=skip, Bar=sad")))
                .hasMessageContaining("has no class folder Bar named in the classes option");
        assertThatThrownBy(() -> open(dir.resolve("x"), Map.of("classes", "Joy2")))
                .hasMessageContaining("expected folder=class pairs");
    }

    @Test
    void tiffImagesAreRead() throws IOException {
        Fixtures.imageFolder(dir.resolve("jaffe"), List.of("happy", "sad"), 2, 16, 1);
        for (String c : List.of("happy", "sad")) {
            for (int i = 0; i < 2; i++) {
                Path png = dir.resolve("jaffe/" + c + "/" + c + "_00" + i + ".png");
                BufferedImage img = ImageIO.read(png.toFile());
                assertThat(ImageIO.write(
                                img,
                                "tiff",
                                dir.resolve("jaffe/" + c + "/" + i + ".tiff").toFile()))
                        .isTrue();
                Files.delete(png);
            }
        }
        Dataset d = open(dir.resolve("jaffe"));
        assertThat(d.size()).isEqualTo(4);
        assertThat(d.get(0).image().getWidth()).isEqualTo(16);
    }

    @Test
    void aTruncatedJpegIsABadImage() throws IOException {
        Fixtures.imageFolder(dir.resolve("j"), List.of("happy", "sad"), 2, 48, 1);
        BufferedImage img = ImageIO.read(dir.resolve("j/happy/happy_000.png").toFile());
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", jpeg);
        byte[] bytes = jpeg.toByteArray();
        Files.write(dir.resolve("j/happy/whole.jpg"), bytes);
        Files.write(dir.resolve("j/happy/half.jpg"), Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertThatThrownBy(() -> open(dir.resolve("j")))
                .hasMessageContaining("half.jpg")
                .hasMessageContaining("on_error: skip");
        Dataset d = open(dir.resolve("j"), Map.of("on_error", "skip"));
        assertThat(d.size()).isEqualTo(5);
        assertThat(d.describe()).contains("skipped 1 bad item:", "half.jpg", "cut short");
    }

    @Test
    void badFoldersAreNamed() throws IOException {
        assertThatThrownBy(() -> open(dir.resolve("missing"))).hasMessageContaining("missing does not exist");
        Files.createDirectories(dir.resolve("empty/happy"));
        assertThatThrownBy(() -> open(dir.resolve("empty")))
                .hasMessageContaining("class folder")
                .hasMessageContaining("happy has no images");
    }

    @Test
    void aBadImageFailsWhenOpenedOrIsSkippedAndCounted() throws IOException {
        Fixtures.imageFolder(dir.resolve("broken"), List.of("happy", "sad", "fear"), 3, 16, 1);
        Files.writeString(dir.resolve("broken/sad/zz_corrupt.png"), "not an image");
        byte[] good = Files.readAllBytes(dir.resolve("broken/happy/happy_000.png"));
        Files.write(dir.resolve("broken/happy/truncated.png"), Arrays.copyOf(good, good.length / 2));
        Files.writeString(dir.resolve("broken/happy/notes.txt"), "a file that is not an image");
        Files.createDirectories(dir.resolve("broken/fear/nothing-here"));
        // fail: the first bad file in name order, when the folder is opened rather than mid-epoch
        assertThatThrownBy(() -> open(dir.resolve("broken")))
                .hasMessageContaining("truncated.png")
                .hasMessageContaining("on_error: skip");
        Dataset d = open(dir.resolve("broken"), Map.of("on_error", "skip"));
        assertThat(d.size()).isEqualTo(9);
        assertThat(d.describe())
                .contains(
                        "skipped 2 bad items",
                        "truncated.png",
                        "zz_corrupt.png",
                        "ignored 1 files that are not images");
        for (int i = 0; i < d.size(); i++) {
            assertThat(d.get(i).image()).isNotNull();
        }
        Files.delete(dir.resolve("broken/sad/zz_corrupt.png"));
        Files.delete(dir.resolve("broken/happy/truncated.png"));
        List<Path> fear;
        try (Stream<Path> files = Files.list(dir.resolve("broken/fear"))) {
            fear = files.filter(Files::isRegularFile).toList();
        }
        for (Path f : fear) {
            Files.delete(f);
        }
        assertThat(open(dir.resolve("broken"), Map.of("on_error", "skip")).classes())
                .containsExactly("happy", "sad");
    }

    @Test
    void cachedImagesEqualFreshlyDecodedOnes() throws IOException {
        Fixtures.imageFolder(dir.resolve("c"), List.of("happy", "sad"), 3, 20, 1);
        Dataset cached = open(dir.resolve("c"));
        Dataset fresh = open(dir.resolve("c"), Map.of("cache_mb", 0));
        for (int i = 0; i < cached.size(); i++) {
            BufferedImage a = cached.get(i).image();
            BufferedImage b = fresh.get(i).image();
            assertThat(a.getRGB(0, 0, 20, 20, null, 0, 20)).containsExactly(b.getRGB(0, 0, 20, 20, null, 0, 20));
        }
        // every read is a copy: drawing on one sample leaves the next read untouched
        cached.get(0).image().getRaster().setSample(0, 0, 0, 255);
        assertThat(cached.get(0).image().getRGB(0, 0))
                .isEqualTo(fresh.get(0).image().getRGB(0, 0));
    }

    @Test
    void contemptIsLeftOutUnlessAskedForAndThenComesLast() throws IOException {
        Fixtures.imageFolder(dir.resolve("ck"), List.of("Contempt", "Happy", "anger"), 2, 16, 1);
        Dataset seven = open(dir.resolve("ck"));
        assertThat(seven.classes()).containsExactly("angry", "happy");
        assertThat(seven.size()).isEqualTo(4);
        assertThat(seven.describe()).contains("Contempt → left out (contempt: true keeps it)");
        Dataset eight = open(dir.resolve("ck"), Map.of("contempt", true));
        assertThat(eight.classes()).containsExactly("angry", "happy", "contempt");
        assertThat(eight.size()).isEqualTo(6);
    }

    @Test
    void ckSubjectsAreReadFromFileNamesAndSplitsKeepEachPersonOnOneSide() throws IOException {
        Path ck = dir.resolve("ck");
        Fixtures.imageFolder(ck, List.of("happy", "sad"), 1, 16, 1);
        byte[] png = Files.readAllBytes(ck.resolve("happy/happy_000.png"));
        for (String cls : List.of("happy", "sad")) {
            Files.delete(ck.resolve(cls + "/" + cls + "_000.png"));
            for (int s = 0; s < 10; s++) {
                for (int frame = 0; frame < 3; frame++) {
                    Files.write(ck.resolve(String.format("%s/S%03d_%03d_%08d.png", cls, s, cls.length(), frame)), png);
                }
            }
        }
        Dataset d = open(ck);
        assertThat(d.subject(0)).isEqualTo("S000");
        assertThat(d.describe()).contains("10 subjects");
        Split split = Split.of(d, 0.2, 3, Split.By.AUTO);
        assertThat(split.how()).isEqualTo("by subject: 2 of 10 subjects held out");
        Set<String> trainSubjects = new HashSet<>();
        Arrays.stream(split.train()).forEach(i -> trainSubjects.add(d.subject(i)));
        assertThat(Arrays.stream(split.validation()).mapToObj(d::subject))
                .hasSize(12)
                .noneMatch(trainSubjects::contains);
        assertThat(Split.of(d, 0.2, 3, Split.By.ITEM).how()).isEqualTo("stratified by class");
        // an explicit pattern must fit every name
        assertThat(open(ck, Map.of("subject", "^S(\\d+)")).subject(0)).isEqualTo("000");
        assertThatThrownBy(() -> open(ck, Map.of("subject", "^P(\\d+)")))
                .hasMessageContaining("does not match the file name");
        Fixtures.imageFolder(dir.resolve("plain"), List.of("happy", "sad"), 3, 16, 1);
        Dataset plain = open(dir.resolve("plain"));
        assertThat(plain.subject(0)).isNull();
        assertThatThrownBy(() -> Split.of(plain, 0.2, 0, Split.By.SUBJECT))
                .hasMessageContaining("does not know its subjects");
    }

    @Test
    void aSeparateValidationSetIsJoinedBehindTheTrainingSet() throws IOException {
        Fixtures.imageFolder(dir.resolve("tr"), List.of("happy", "sad"), 3, 16, 1);
        Fixtures.imageFolder(dir.resolve("va"), List.of("happy", "sad"), 2, 16, 2);
        Split.Joined j = Split.separate(open(dir.resolve("tr")), open(dir.resolve("va")));
        assertThat(j.data().size()).isEqualTo(10);
        assertThat(j.split().train()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(j.split().validation()).containsExactly(6, 7, 8, 9);
        assertThat(j.data().get(6).id()).isEqualTo("happy/happy_000.png");
        Fixtures.imageFolder(dir.resolve("other"), List.of("happy", "fear"), 1, 16, 1);
        assertThatThrownBy(() -> Split.separate(open(dir.resolve("tr")), open(dir.resolve("other"))))
                .hasMessageContaining("differ");
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
            assertThat(Arrays.stream(a.validation())
                            .filter(i -> d.label(i) == cls)
                            .count())
                    .isEqualTo(2);
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
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
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
        float[] a = first(new Batches(d, order, input, 8, 2, aug, 7, 1, TestViews.NONE));
        float[] b = first(new Batches(d, order, input, 8, 1, aug, 7, 1, TestViews.NONE));
        float[] c = first(new Batches(d, order, input, 8, 2, aug, 7, 2, TestViews.NONE));
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
            float[] x = first(new Batches(d, new int[] {0}, input, 1, 1, flip, 3, epoch, TestViews.NONE));
            float[] reversed = new float[256];
            for (int y = 0; y < 16; y++) {
                for (int col = 0; col < 16; col++) {
                    reversed[y * 16 + col] = plain[y * 16 + 15 - col];
                }
            }
            assertThat(Arrays.equals(x, plain) || Arrays.equals(x, reversed)).isTrue();
            mirrored |= Arrays.equals(x, reversed);
        }
        assertThat(mirrored).isTrue();
    }

    @Test
    void tenCropGivesTenViewsPerItemTheLastFiveMirrored() throws IOException {
        Fixtures.imageFolder(dir.resolve("t"), List.of("happy", "sad"), 2, 24, 1);
        Dataset d = open(dir.resolve("t"));
        InputSpec input = new InputSpec(1, 16);
        try (Batches b =
                new Batches(d, new int[] {0, 1, 2}, input, 2, 1, Augmentation.NONE, 0, 0, TestViews.TEN_CROP)) {
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

    /** A 12×12 gray image whose pixel (x, y) has the value 20·x + y, distinct everywhere. */
    private static BufferedImage numbered() {
        BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                int v = 20 * x + y;
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        return img;
    }

    /** The 8×8 window of {@link #numbered} at (x0, y0), as {@link Pixels#write} normalises it. */
    private static float[] window(int x0, int y0) {
        float[] w = new float[64];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                w[y * 8 + x] = (20 * (x0 + x) + y0 + y) / 255f * 2 - 1;
            }
        }
        return w;
    }

    @Test
    void aResizedInputIsSeenThroughItsCentreWindowInEvaluation() {
        InputSpec input = new InputSpec(1, 8, 12);
        float[] x = new float[64];
        Pixels.write(numbered(), input, x, 0);
        assertThat(x).containsExactly(window(2, 2), within(1e-6f));
        // a region of the image lands where its pixels do
        Point2D p = input.placement(12, 12).transform(new Point2D.Double(5, 7), null);
        assertThat(p.getX()).isEqualTo(3.0);
        assertThat(p.getY()).isEqualTo(5.0);
        assertThat(new InputSpec(1, 8, 24)
                        .placement(12, 12)
                        .transform(new Point2D.Double(5, 7), null)
                        .getX())
                .isEqualTo(2.0);
        assertThat(input.describe()).isEqualTo("1×8×8 windows of 12×12");
        assertThat(new InputSpec(3, 8).describe()).isEqualTo("3×8×8");
        assertThatThrownBy(() -> new InputSpec(1, 8, 7))
                .hasMessage("input resize must be between the size 8 and 1024, got 7");
    }

    @Test
    void aResizedInputTrainsOnRandomWindowsAndTenCropTakesItsCornersAndCentre() throws IOException {
        InputSpec input = new InputSpec(1, 8, 12);
        Augmentation crop = new Augmentation(0, false, 0, 0, 0, 0, 0);
        Set<String> seen = new HashSet<>();
        for (int epoch = 0; epoch < 40; epoch++) {
            float[] x = new float[64];
            Pixels.writeView(crop.geometry(numbered(), input, Augmentation.random(1, epoch, 0)), input, x, 0);
            // every draw is one of the 5 × 5 windows, pixel for pixel
            int x0 = Math.round((x[0] + 1) / 2 * 255) / 20;
            int y0 = Math.round((x[0] + 1) / 2 * 255) % 20;
            assertThat(x0).isBetween(0, 4);
            assertThat(y0).isBetween(0, 4);
            assertThat(x).containsExactly(window(x0, y0), within(1e-6f));
            seen.add(x0 + "," + y0);
        }
        assertThat(seen.size()).isGreaterThan(5);
        List<BufferedImage> views = TestViews.TEN_CROP.of(numbered(), input);
        int[][] origins = {{0, 0}, {4, 0}, {0, 4}, {4, 4}, {2, 2}};
        for (int v = 0; v < 5; v++) {
            float[] x = new float[64];
            Pixels.writeView(views.get(v), input, x, 0);
            assertThat(x).as("view %d", v).containsExactly(window(origins[v][0], origins[v][1]), within(1e-6f));
        }
    }

    @Test
    void aTestTimeZoomAddsTenCropsOfTheImageShrunkAndEnlarged() {
        // a white 16×16 square in the middle of a black 48×48 image, seen through 40×40 windows
        BufferedImage square = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 16; y < 32; y++) {
            for (int x = 16; x < 32; x++) {
                square.setRGB(x, y, 0xFFFFFF);
            }
        }
        InputSpec input = new InputSpec(1, 40, 48);
        TestViews zoomed = new TestViews(true, 1 / 12.0);
        List<BufferedImage> views = zoomed.of(square, input);
        assertThat(zoomed.count()).isEqualTo(30);
        assertThat(views).hasSize(30);
        // the middle scale is plain ten-crop, view for view
        List<BufferedImage> plain = TestViews.TEN_CROP.of(square, input);
        for (int v = 0; v < 10; v++) {
            float[] a = new float[1600];
            float[] b = new float[1600];
            Pixels.writeView(views.get(10 + v), input, a, 0);
            Pixels.writeView(plain.get(v), input, b, 0);
            assertThat(a).as("view %d", v).containsExactly(b);
        }
        // the centre windows of the 44- and 52-pixel images hold the square at 44/48 and 52/48 of its side
        for (int scale = 0; scale < 3; scale++) {
            float[] x = new float[1600];
            Pixels.writeView(views.get(10 * scale + 4), input, x, 0);
            double white = 0;
            for (float f : x) {
                white += (f + 1) / 2;
            }
            double side = 16 * (44 + 4 * scale) / 48.0;
            assertThat(white).as("scale %d", scale).isCloseTo(side * side, within(0.02 * side * side));
        }
        assertThat(zoomed.describe()).isEqualTo("ten-crop TTA at 3 scales, ±8 %");
        assertThat(TestViews.TEN_CROP.describe()).isEqualTo("ten-crop TTA");
        assertThat(TestViews.NONE.count()).isEqualTo(1);
        assertThatThrownBy(() -> new TestViews(false, 0.1)).hasMessage("tta_zoom (0.1) needs tta: true");
        assertThatThrownBy(() -> new TestViews(true, 0.5))
                .hasMessage("the test-time zoom must be between 0 and 0.4, got 0.5");
    }

    private static float[] first(Batches batches) {
        try (batches) {
            return batches.next().data();
        }
    }
}
