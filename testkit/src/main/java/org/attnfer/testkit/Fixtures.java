package org.attnfer.testkit;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small generated datasets for tests: nothing is read from outside the test's own folder. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * Writes an image folder: one sub-folder per class, {@code perClass} grayscale PNGs each. Class
     * {@code k} shows a bright bar at a class-specific angle on noise, so that a network can learn
     * the classes in a few epochs.
     *
     * @return {@code dir}
     */
    public static Path imageFolder(Path dir, List<String> classes, int perClass, int size, long seed)
            throws IOException {
        Random random = new Random(seed);
        for (int k = 0; k < classes.size(); k++) {
            Path folder = Files.createDirectories(dir.resolve(classes.get(k)));
            double angle = Math.PI * k / classes.size();
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
                Graphics2D g = img.createGraphics();
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int v = 60 + random.nextInt(60);
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(Math.max(2f, size / 8f)));
                double cx = size / 2.0 + random.nextGaussian() * size / 16;
                double cy = size / 2.0 + random.nextGaussian() * size / 16;
                double r = size * 0.4;
                g.drawLine(
                        (int) (cx - r * Math.cos(angle)),
                        (int) (cy - r * Math.sin(angle)),
                        (int) (cx + r * Math.cos(angle)),
                        (int) (cy + r * Math.sin(angle)));
                g.dispose();
                ImageIO.write(
                        img,
                        "png",
                        folder.resolve(String.format("%s_%03d.png", classes.get(k), i))
                                .toFile());
            }
        }
        return dir;
    }
}
