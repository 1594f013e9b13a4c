package org.attnfer.face;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Square crops of detected faces, with a margin, as the networks were trained on (FER2013 crops are loose). */
public final class FaceCrops {

    private FaceCrops() {}

    /**
     * The square around a face box, enlarged by {@code margin} of its side on every side; parts
     * outside the image are filled with the image's mean grey.
     */
    public static BufferedImage crop(BufferedImage image, Rectangle face, double margin) {
        int side = (int) Math.round(Math.max(face.width, face.height) * (1 + 2 * margin));
        int cx = face.x + face.width / 2;
        int cy = face.y + face.height / 2;
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, side, side);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, side / 2 - cx, side / 2 - cy, null);
        g.dispose();
        return out;
    }
}
