package org.attnfer.data.synthetic.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.GeneralPath;
import java.awt.geom.Line2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Draws one face with Java2D. Geometry is in face units (the face's half width is about 1, y
 * points down), placed into the image by one affine transform (offset, in-plane rotation, scale),
 * which also maps the key regions returned for scoring heat maps.
 */
final class FaceRenderer {

    /** What to draw besides the face. */
    record Nuisance(double occlusion, double clutter, double noise, double smallFaces) {}

    /** A drawn face: the image and its regions in image coordinates. */
    record Drawn(BufferedImage image, Map<String, Shape> regions) {}

    private FaceRenderer() {}

    static Drawn draw(int size, boolean color, Identity who, Expression e, Nuisance n, Random r) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);

        background(g, size, n.clutter(), r);

        boolean small = r.nextDouble() < n.smallFaces();
        double scale = size * 0.34 * (small ? 0.25 + 0.2 * r.nextDouble() : 0.85 + 0.25 * r.nextDouble());
        double room = size / 2.0 - scale * 1.1;
        double cx = size / 2.0 + (small ? room * (2 * r.nextDouble() - 1) : size * 0.06 * r.nextGaussian());
        double cy = size / 2.0 + (small ? room * (2 * r.nextDouble() - 1) : size * 0.06 * r.nextGaussian());
        AffineTransform at = new AffineTransform();
        at.translate(cx, cy);
        at.rotate(Math.toRadians(8 * r.nextGaussian()));
        at.scale(scale, scale);
        AffineTransform image = g.getTransform();
        g.transform(at);

        Map<String, Shape> parts = face(g, who, e);

        g.setTransform(image);
        if (r.nextDouble() < n.occlusion()) {
            occlude(g, at, who, r);
        }
        g.dispose();
        finish(img, n.noise() * r.nextDouble(), r.nextDouble() < 0.15, color, r);
        Map<String, Shape> regions = new LinkedHashMap<>();
        parts.forEach((k, s) -> regions.put(k, at.createTransformedShape(s)));
        return new Drawn(img, regions);
    }

    /** Draws the face in face units; returns its key regions in face units. */
    private static Map<String, Shape> face(Graphics2D g, Identity who, Expression e) {
        double fw = who.faceWidth();
        double fh = who.faceHeight();
        Color skin = who.skin();
        Color shade = darker(skin, 0.78);
        Color line = darker(skin, 0.45);

        if (who.hairStyle() == 2) {
            g.setColor(who.hair());
            g.fill(new Ellipse2D.Double(-fw * 1.25, -fh * 1.15, fw * 2.5, fh * 2.3));
        }
        // neck and shoulders
        g.setColor(shade);
        g.fill(new Rectangle2D.Double(-fw * 0.45, fh * 0.6, fw * 0.9, fh * 1.2));
        g.setColor(darker(who.hair(), 1.6));
        g.fill(new Ellipse2D.Double(-fw * 2.2, fh * 1.05, fw * 4.4, fh * 1.6));

        GeneralPath head = new GeneralPath();
        double jaw = 0.45 + 0.35 * who.jaw();
        head.moveTo(0, -fh);
        head.curveTo(fw * 0.6, -fh, fw, -fh * 0.55, fw, -0.05);
        head.curveTo(fw, fh * 0.45, fw * jaw, fh, 0, fh);
        head.curveTo(-fw * jaw, fh, -fw, fh * 0.45, -fw, -0.05);
        head.curveTo(-fw, -fh * 0.55, -fw * 0.6, -fh, 0, -fh);
        head.closePath();
        g.setColor(skin);
        for (int side : new int[] {-1, 1}) {
            g.fill(new Ellipse2D.Double(side * fw - 0.12, -0.2, 0.24, 0.42));
        }
        g.fill(head);

        hair(g, who, fw, fh);

        // age: forehead lines
        g.setStroke(new BasicStroke(0.025f));
        if (who.age() > 0.6) {
            g.setColor(blend(skin, line, (who.age() - 0.6) * 1.5));
            for (double y : new double[] {-0.72, -0.82}) {
                g.draw(new QuadCurve2D.Double(-0.35, y, 0, y - 0.04, 0.35, y));
            }
        }

        // eyes
        Area eyes = new Area();
        double eyeW = 0.19 * who.eyeSize();
        double open = clamp(1 + e.eyeOpen(), 0.15, 2.1);
        double eyeH = 0.085 * who.eyeSize() * open;
        double eyeY = -0.17;
        for (int side : new int[] {-1, 1}) {
            double ex = side * who.eyeSpacing() * fw;
            Ellipse2D white = new Ellipse2D.Double(ex - eyeW, eyeY - eyeH, 2 * eyeW, 2 * eyeH);
            g.setColor(new Color(240, 238, 232));
            g.fill(white);
            Shape clip = g.getClip();
            g.clip(white);
            g.setColor(new Color(60, 45, 35));
            double iris = 0.075 * who.eyeSize();
            g.fill(new Ellipse2D.Double(ex - iris, eyeY - iris, 2 * iris, 2 * iris));
            g.setColor(Color.BLACK);
            g.fill(new Ellipse2D.Double(ex - iris * 0.45, eyeY - iris * 0.45, iris * 0.9, iris * 0.9));
            g.setClip(clip);
            // upper lid, heavier when narrowed
            g.setColor(line);
            g.setStroke(new BasicStroke(
                    (float) (0.045 + 0.03 * Math.max(0, -e.eyeOpen())), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new QuadCurve2D.Double(ex - eyeW * 1.05, eyeY, ex, eyeY - 2.1 * eyeH, ex + eyeW * 1.05, eyeY));
            // lower lid pushed up by raised cheeks
            if (e.cheek() > 0.2) {
                g.setColor(blend(skin, line, 0.5 * Math.min(1, e.cheek())));
                g.setStroke(new BasicStroke(0.025f));
                g.draw(new QuadCurve2D.Double(
                        ex - eyeW, eyeY + eyeH * 0.6, ex, eyeY + eyeH * 1.6 + 0.03, ex + eyeW, eyeY + eyeH * 0.6));
            }
            eyes.add(new Area(
                    new Ellipse2D.Double(ex - eyeW * 1.4, eyeY - eyeH * 1.4 - 0.06, eyeW * 2.8, eyeH * 2.8 + 0.12)));
        }

        // brows
        Area brows = new Area();
        double browY = -0.43 - 0.24 * e.browRaise() - 0.03 * Math.max(0, e.eyeOpen());
        float thick = (float) (0.07 * who.browThickness() + 0.045);
        g.setColor(darker(who.hair(), 0.9));
        g.setStroke(new BasicStroke(thick, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int side : new int[] {-1, 1}) {
            double inner = side * (0.13 - 0.05 * e.browFurrow()) * fw;
            double outer = side * 0.62 * fw;
            double innerY = browY - 0.2 * e.browSlant() + 0.02 * e.browFurrow();
            double outerY = browY + 0.05 * e.browSlant();
            double midY = (innerY + outerY) / 2 - 0.07;
            g.draw(new QuadCurve2D.Double(inner, innerY, (inner + outer) / 2, midY, outer, outerY));
            brows.add(new Area(new Rectangle2D.Double(
                    Math.min(inner, outer) - 0.05,
                    Math.min(Math.min(innerY, outerY), midY) - 0.08,
                    Math.abs(outer - inner) + 0.1,
                    Math.abs(innerY - outerY) + 0.18)));
        }
        if (e.browFurrow() > 0.3) {
            g.setColor(blend(skin, line, Math.min(1, e.browFurrow() - 0.2)));
            g.setStroke(new BasicStroke(0.022f));
            for (int side : new int[] {-1, 1}) {
                g.draw(new Line2D.Double(side * 0.05, browY - 0.02, side * 0.04, browY + 0.12));
            }
        }

        // nose and its wrinkles
        double noseBottom = 0.18 + 0.1 * who.noseLength();
        g.setColor(line);
        g.setStroke(new BasicStroke(0.028f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new QuadCurve2D.Double(0.02, -0.1, 0.08, noseBottom - 0.05, 0.0, noseBottom));
        for (int side : new int[] {-1, 1}) {
            g.draw(new QuadCurve2D.Double(
                    side * 0.13,
                    noseBottom - 0.04 - 0.03 * e.noseWrinkle(),
                    side * 0.1,
                    noseBottom + 0.03,
                    side * 0.03,
                    noseBottom));
        }
        if (e.noseWrinkle() > 0.15) {
            g.setColor(blend(skin, line, Math.min(1, e.noseWrinkle())));
            g.setStroke(new BasicStroke(0.022f));
            for (int i = 0; i < 3; i++) {
                double y = -0.08 + 0.05 * i;
                g.draw(new QuadCurve2D.Double(-0.09, y, 0, y - 0.03, 0.09, y));
            }
        }

        // cheek folds of a smile or sneer
        double fold = Math.max(e.cheek(), 0.7 * e.upperLip());
        if (fold > 0.2) {
            g.setColor(blend(skin, line, Math.min(1, fold) * 0.7));
            g.setStroke(new BasicStroke(0.025f));
            for (int side : new int[] {-1, 1}) {
                g.draw(new QuadCurve2D.Double(side * 0.17, noseBottom - 0.02, side * 0.33, 0.42, side * 0.36, 0.6));
            }
        }

        Shape mouth = mouth(g, who, e, skin, line);

        if (who.glasses()) {
            g.setColor(new Color(30, 30, 35));
            g.setStroke(new BasicStroke(0.035f));
            for (int side : new int[] {-1, 1}) {
                double ex = side * who.eyeSpacing() * fw;
                g.draw(new RoundRectangle2D.Double(ex - 0.27, eyeY - 0.17, 0.54, 0.32, 0.15, 0.15));
            }
            g.draw(new Line2D.Double(
                    -who.eyeSpacing() * fw + 0.27, eyeY - 0.03, who.eyeSpacing() * fw - 0.27, eyeY - 0.03));
        }

        Map<String, Shape> regions = new LinkedHashMap<>();
        regions.put("face", head);
        regions.put("brows", brows);
        regions.put("eyes", eyes);
        regions.put("mouth", mouth);
        return regions;
    }

    /** Draws the mouth; returns its region. */
    private static Shape mouth(Graphics2D g, Identity who, Expression e, Color skin, Color line) {
        double y = 0.62;
        double hw = 0.33
                * who.mouthWidth()
                * clamp(1 + 0.35 * e.mouthWidth() - 0.25 * e.mouthOpen() * (e.mouthWidth() < 0 ? 1 : 0), 0.5, 1.6);
        double curve = clamp(e.mouthCurve(), -1.5, 1.5);
        double leftY = y - 0.24 * curve - 0.05 * e.asymmetry();
        double rightY = y - 0.24 * curve + 0.05 * e.asymmetry();
        double open = clamp(e.mouthOpen(), 0, 1.3);
        double upperY = y - 0.03 - 0.1 * e.upperLip() - 0.08 * open + 0.04 * curve;
        double lowerY = y + 0.03 + 0.5 * open + 0.1 * Math.max(0, curve);
        Color lip = blend(skin, new Color(150, 60, 60), 0.45);

        GeneralPath outline = new GeneralPath();
        outline.moveTo(-hw, leftY);
        outline.quadTo(0, upperY - 0.05, hw, rightY);
        outline.quadTo(0, lowerY + 0.06, -hw, leftY);
        outline.closePath();
        g.setColor(lip);
        g.fill(outline);
        if (open > 0.08) {
            GeneralPath inside = new GeneralPath();
            inside.moveTo(-hw * 0.85, leftY);
            inside.quadTo(0, upperY + 0.02, hw * 0.85, rightY);
            inside.quadTo(0, lowerY - 0.01, -hw * 0.85, leftY);
            inside.closePath();
            g.setColor(new Color(45, 18, 20));
            g.fill(inside);
            if (curve > 0.3 || e.upperLip() > 0.4) {
                Shape clip = g.getClip();
                g.clip(inside);
                g.setColor(new Color(235, 232, 220));
                g.fill(new Rectangle2D.Double(-hw, upperY - 0.05, 2 * hw, 0.05 + 0.12 * open));
                g.setClip(clip);
            }
        } else {
            g.setColor(line);
            g.setStroke(new BasicStroke(0.045f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new QuadCurve2D.Double(-hw, leftY, 0, (upperY + lowerY) / 2 + 0.08 * curve, hw, rightY));
        }
        return new Rectangle2D.Double(
                -hw - 0.08,
                Math.min(Math.min(leftY, rightY), upperY) - 0.1,
                2 * hw + 0.16,
                Math.max(lowerY, Math.max(leftY, rightY)) - Math.min(Math.min(leftY, rightY), upperY) + 0.2);
    }

    private static void hair(Graphics2D g, Identity who, double fw, double fh) {
        if (who.hairStyle() == 0 && who.age() > 0.7) {
            return; // bald
        }
        g.setColor(who.hair());
        GeneralPath cap = new GeneralPath();
        double line = who.hairStyle() == 3 ? -0.4 : -0.62;
        cap.moveTo(-fw * 1.04, -0.15);
        cap.curveTo(-fw * 1.1, -fh * 1.25, fw * 1.1, -fh * 1.25, fw * 1.04, -0.15);
        cap.curveTo(fw * 0.8, line - 0.15, fw * 0.3, line, 0, line);
        cap.curveTo(-fw * 0.3, line, -fw * 0.8, line - 0.15, -fw * 1.04, -0.15);
        cap.closePath();
        g.fill(cap);
    }

    private static void background(Graphics2D g, int size, double clutter, Random r) {
        int base = 40 + r.nextInt(180);
        g.setColor(new Color(base, clamp8(base + r.nextInt(40) - 20), clamp8(base + r.nextInt(40) - 20)));
        g.fillRect(0, 0, size, size);
        int shapes = (int) Math.round(clutter * 8 * r.nextDouble());
        for (int i = 0; i < shapes; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            double x = r.nextDouble() * size;
            double y = r.nextDouble() * size;
            double w = size * (0.05 + 0.35 * r.nextDouble());
            double h = size * (0.05 + 0.35 * r.nextDouble());
            switch (r.nextInt(4)) {
                case 0 -> g.fill(new Ellipse2D.Double(x - w / 2, y - h / 2, w, h));
                case 1 -> g.fill(new Rectangle2D.Double(x - w / 2, y - h / 2, w, h));
                case 2 -> {
                    g.setStroke(new BasicStroke((float) (size * 0.02 + size * 0.04 * r.nextDouble())));
                    g.draw(new Line2D.Double(x, y, r.nextDouble() * size, r.nextDouble() * size));
                }
                default -> {
                    // a face-like distractor: an oval with two dark dots
                    g.fill(new Ellipse2D.Double(x - w / 2, y - w * 0.6, w, w * 1.2));
                    g.setColor(new Color(30, 30, 30));
                    g.fill(new Ellipse2D.Double(x - w * 0.25, y - w * 0.15, w * 0.12, w * 0.08));
                    g.fill(new Ellipse2D.Double(x + w * 0.13, y - w * 0.15, w * 0.12, w * 0.08));
                }
            }
        }
    }

    private static void occlude(Graphics2D g, AffineTransform at, Identity who, Random r) {
        AffineTransform image = g.getTransform();
        g.transform(at);
        switch (r.nextInt(4)) {
            case 0 -> { // a hand over the mouth or a cheek
                g.setColor(darker(who.skin(), 0.9 + 0.2 * r.nextDouble()));
                double x = 0.8 * (2 * r.nextDouble() - 1);
                g.fill(new Ellipse2D.Double(x - 0.4, 0.35 + 0.3 * r.nextDouble(), 0.8, 0.55));
            }
            case 1 -> { // dark glasses
                g.setColor(new Color(20, 20, 25));
                g.fill(new RoundRectangle2D.Double(-0.75, -0.32, 1.5, 0.3, 0.2, 0.2));
            }
            case 2 -> { // a scarf or a collar over the chin
                g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
                g.fill(new Rectangle2D.Double(-1.3, 0.75 + 0.2 * r.nextDouble(), 2.6, 1.0));
            }
            default -> { // a strand of hair across the face
                g.setColor(who.hair());
                g.setStroke(new BasicStroke(
                        0.12f + 0.1f * (float) r.nextDouble(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                double x = 0.8 * (2 * r.nextDouble() - 1);
                g.draw(new QuadCurve2D.Double(x - 0.3, -1.1, x + 0.4, -0.2, x - 0.1, 0.5));
            }
        }
        g.setTransform(image);
    }

    /**
     * The camera: sometimes a 3×3 blur, then in one pass over the pixels a lighting gradient in a
     * random direction, sensor noise of standard deviation {@code sigma} (share of full scale), and
     * the conversion to gray.
     */
    private static void finish(BufferedImage img, double sigma, boolean blur, boolean color, Random r) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        if (blur) {
            px = blur(px, w, h);
        }
        double strength = 0.6 * r.nextDouble();
        double angle = 2 * Math.PI * r.nextDouble();
        double dx = strength * Math.cos(angle) / w;
        double dy = strength * Math.sin(angle) / h;
        double gain = 0.8 + 0.4 * r.nextDouble();
        double s = 255 * sigma;
        for (int y = 0; y < h; y++) {
            double rowGain = gain * (1 + (y - h / 2.0) * dy);
            for (int x = 0; x < w; x++) {
                double f = rowGain + gain * (x - w / 2.0) * dx;
                double d = s > 0 ? s * r.nextGaussian() : 0;
                int i = y * w + x;
                int p = px[i];
                double red = f * (p >> 16 & 0xff) + d;
                double green = f * (p >> 8 & 0xff) + d;
                double blue = f * (p & 0xff) + d;
                if (color) {
                    px[i] = rgb(red, green, blue);
                } else {
                    double v = 0.299 * red + 0.587 * green + 0.114 * blue;
                    px[i] = rgb(v, v, v);
                }
            }
        }
        img.setRGB(0, 0, w, h, px, 0, w);
    }

    private static int[] blur(int[] px, int w, int h) {
        int[] out = new int[px.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rs = 0;
                int gs = 0;
                int bs = 0;
                int n = 0;
                for (int v = Math.max(0, y - 1); v <= Math.min(h - 1, y + 1); v++) {
                    for (int u = Math.max(0, x - 1); u <= Math.min(w - 1, x + 1); u++) {
                        int p = px[v * w + u];
                        rs += p >> 16 & 0xff;
                        gs += p >> 8 & 0xff;
                        bs += p & 0xff;
                        n++;
                    }
                }
                out[y * w + x] = rgb((double) rs / n, (double) gs / n, (double) bs / n);
            }
        }
        return out;
    }

    private static int rgb(double r, double g, double b) {
        return clamp8((int) Math.round(r)) << 16 | clamp8((int) Math.round(g)) << 8 | clamp8((int) Math.round(b));
    }

    private static int clamp8(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static Color darker(Color c, double f) {
        return new Color(
                clamp8((int) (c.getRed() * f)), clamp8((int) (c.getGreen() * f)), clamp8((int) (c.getBlue() * f)));
    }

    private static Color blend(Color a, Color b, double t) {
        double u = clamp(t, 0, 1);
        return new Color(
                clamp8((int) (a.getRed() * (1 - u) + b.getRed() * u)),
                clamp8((int) (a.getGreen() * (1 - u) + b.getGreen() * u)),
                clamp8((int) (a.getBlue() * (1 - u) + b.getBlue() * u)));
    }
}
