package org.attnfer.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaarCascadeTest {

    @TempDir
    Path dir;

    private static HaarCascade cascade() throws IOException {
        if (!Files.isRegularFile(HaarCascade.DEBIAN_FRONTAL_FACE)) {
            String message = "SKIPPED: no " + HaarCascade.DEBIAN_FRONTAL_FACE
                    + " (Debian: apt-get install opencv-data); face detection not tested";
            System.err.println(message);
            Assumptions.abort(message);
        }
        return HaarCascade.read(HaarCascade.DEBIAN_FRONTAL_FACE);
    }

    private static List<Path> realFaces(int n) throws IOException {
        Path happy = Path.of(System.getProperty("attnfer.goldens", "../../../shared/goldens"))
                .resolveSibling("data/fer2013/train/happy");
        if (!Files.isDirectory(happy)) {
            String message = "SKIPPED: " + happy + " not found; detection on real faces not tested";
            System.err.println(message);
            Assumptions.abort(message);
        }
        try (Stream<Path> s = Files.list(happy)) {
            return s.sorted().limit(n).toList();
        }
    }

    private static BufferedImage canvas(long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(220, 170, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int v = Math.max(0, Math.min(255, 128 + (int) (25 * r.nextGaussian())));
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        return img;
    }

    @Test
    void findsRealFacesWhereTheyAreAndNothingInNoise() throws IOException {
        HaarCascade cascade = cascade();
        Rectangle placed = new Rectangle(70, 35, 96, 96);
        int found = 0;
        List<Path> faces = realFaces(30);
        for (int i = 0; i < faces.size(); i++) {
            BufferedImage img = canvas(i);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(ImageIO.read(faces.get(i).toFile()), placed.x, placed.y, placed.width, placed.height, null);
            g.dispose();
            List<Rectangle> boxes = cascade.detect(img, 30, 3);
            if (!boxes.isEmpty() && overlap(boxes.get(0), placed) > 0.3) {
                found++;
            }
        }
        assertThat(found)
                .as("faces found at their place, of %d", faces.size())
                .isGreaterThanOrEqualTo(faces.size() * 6 / 10);
        int falseHits = 0;
        for (int i = 0; i < 10; i++) {
            falseHits += cascade.detect(canvas(100 + i), 30, 3).size();
        }
        assertThat(falseHits).as("detections in pure noise").isLessThanOrEqualTo(1);
    }

    @Test
    void cropsAreSquareAroundTheFace() {
        BufferedImage img = canvas(1);
        BufferedImage crop = FaceCrops.crop(img, new Rectangle(200, 10, 40, 30), 0.25);
        assertThat(crop.getWidth()).isEqualTo(60).isEqualTo(crop.getHeight());
    }

    @Test
    void aMissingOrForeignCascadeIsAClearError() throws IOException {
        assertThatThrownBy(() -> HaarCascade.read(dir.resolve("none.xml")))
                .hasMessageContaining("apt-get install opencv-data");
        Path xml = Files.writeString(
                dir.resolve("lbp.xml"),
                "<opencv_storage><cascade><stageType>BOOST</stageType>"
                        + "<featureType>LBP</featureType></cascade></opencv_storage>");
        assertThatThrownBy(() -> HaarCascade.read(xml)).hasMessageContaining("not a boosted cascade of Haar features");
    }

    private static double overlap(Rectangle a, Rectangle b) {
        Rectangle i = a.intersection(b);
        if (i.isEmpty()) {
            return 0;
        }
        double inter = (double) i.width * i.height;
        return inter / (a.width * a.height + b.width * b.height - inter);
    }
}
