package org.attnfer.data.synthetic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.attnfer.api.Params;
import org.attnfer.api.data.Sample;
import org.junit.jupiter.api.Test;

class SyntheticFacesTest {

    private static final SyntheticFacesProvider PROVIDER = new SyntheticFacesProvider();

    private static SyntheticFaces open(Map<String, ?> options) {
        return (SyntheticFaces) PROVIDER.open(Params.validate(PROVIDER.options(), options), null);
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void sameSeedAndIndexGiveTheSameImageWhateverTheOrder() {
        SyntheticFaces a = open(Map.of());
        SyntheticFaces b = open(Map.of());
        Sample late = b.get(123);
        b.get(5);
        assertThat(pixels(a.get(123).image())).isEqualTo(pixels(late.image()));
        assertThat(pixels(a.get(124).image())).isNotEqualTo(pixels(late.image()));
        assertThat(pixels(open(Map.of("seed", 1)).get(123).image())).isNotEqualTo(pixels(late.image()));
    }

    @Test
    void grayscaleFortyEightByDefaultRgbAndLargerOnRequest() {
        BufferedImage gray = open(Map.of()).get(0).image();
        assertThat(gray.getWidth()).isEqualTo(48);
        for (int p : pixels(gray)) {
            assertThat(p >> 16 & 0xff).isEqualTo(p & 0xff);
        }
        BufferedImage rgb = open(Map.of("color", true, "size", 96)).get(0).image();
        assertThat(rgb.getWidth()).isEqualTo(96);
        boolean colourful = false;
        for (int p : pixels(rgb)) {
            colourful |= (p >> 16 & 0xff) != (p & 0xff);
        }
        assertThat(colourful).isTrue();
    }

    @Test
    void classesAreBalancedAndTestPeopleNeverTrain() {
        SyntheticFaces train = open(Map.of("count", 700, "identities", 50));
        SyntheticFaces test = open(Map.of("split", "test", "count", 700, "identities", 50));
        int[] counts = new int[7];
        Set<String> trainPeople = new HashSet<>();
        Set<String> testPeople = new HashSet<>();
        for (int i = 0; i < 700; i++) {
            counts[train.label(i)]++;
            trainPeople.add(train.subject(i));
            testPeople.add(test.subject(i));
            assertThat(train.get(i).label()).isEqualTo(train.label(i));
        }
        assertThat(counts).containsOnly(100);
        assertThat(trainPeople).hasSizeBetween(45, 50).doesNotContainAnyElementsOf(testPeople);
        assertThat(train.classes()).containsExactly("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");
    }

    @Test
    void keyRegionsLieInsideTheFace() {
        SyntheticFaces d = open(Map.of("occlusion", 0.0));
        for (int i = 0; i < 50; i++) {
            Map<String, Shape> regions = d.get(i).regions();
            assertThat(regions).containsOnlyKeys("face", "brows", "eyes", "mouth");
            Rectangle face = regions.get("face").getBounds();
            for (String part : new String[] {"eyes", "mouth"}) {
                Rectangle r = regions.get(part).getBounds();
                assertThat(face.contains(r.getCenterX(), r.getCenterY()))
                        .as("%s of item %d inside the face", part, i)
                        .isTrue();
            }
            assertThat(face.getWidth()).isBetween(10.0, 60.0);
        }
    }

    @Test
    void smallFacesAreSmall() {
        SyntheticFaces d = open(Map.of("small_faces", 1.0, "size", 96));
        for (int i = 0; i < 20; i++) {
            assertThat(d.get(i).regions().get("face").getBounds().getWidth()).isLessThan(0.35 * 96);
        }
    }

    @Test
    void labelNoiseChangesTheRequestedShareOfLabels() {
        SyntheticFaces d = open(Map.of("count", 7000, "label_noise", 0.2));
        int changed = 0;
        for (int i = 0; i < 7000; i++) {
            changed += d.label(i) != i % 7 ? 1 : 0;
        }
        assertThat(changed / 7000.0).isCloseTo(0.2, within(0.02));
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> open(Map.of("count", 3))).hasMessage("count must be ≥ 7, got 3");
        assertThatThrownBy(() -> open(Map.of("intensity_min", 0.9, "intensity_max", 0.5)))
                .hasMessageContaining("intensity_max");
        assertThatThrownBy(() -> open(Map.of("split", "validation")))
                .hasMessage("split must be one of train, test, got validation");
    }
}
