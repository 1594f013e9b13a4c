package org.attnfer.face;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A boosted cascade of Haar-like features in OpenCV's XML format (stumps, upright features), run
 * over an image pyramid with variance normalisation; overlapping hits are grouped and weak groups
 * dropped, as OpenCV's {@code detectMultiScale} does.
 */
public final class HaarCascade {

    /** Where Debian's {@code opencv-data} package puts the frontal-face cascade. */
    public static final Path DEBIAN_FRONTAL_FACE =
            Path.of("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml");

    private record Rect(int x, int y, int w, int h, float weight) {}

    private record Stump(int feature, float threshold, float left, float right) {}

    private record Stage(float threshold, Stump[] stumps) {}

    private final int width;
    private final int height;
    private final Stage[] stages;
    private final Rect[][] features;

    private HaarCascade(int width, int height, Stage[] stages, Rect[][] features) {
        this.width = width;
        this.height = height;
        this.stages = stages;
        this.features = features;
    }

    /**
     * Reads a cascade file.
     *
     * @throws IOException naming the file when it is missing or not a stump cascade of Haar features
     */
    public static HaarCascade read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(),
                    null,
                    "no Haar cascade here; on Debian: apt-get install opencv-data (or give another cascade file)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = f.newDocumentBuilder();
            // the default handler prints "[Fatal Error]" lines of its own beside the exception
            builder.setErrorHandler(new DefaultHandler() {
                @Override
                public void error(SAXParseException e) throws SAXParseException {
                    throw e;
                }
            });
            Document doc = builder.parse(in);
            Element cascade = (Element) doc.getElementsByTagName("cascade").item(0);
            if (cascade == null
                    || !text(cascade, "featureType").equals("HAAR")
                    || !text(cascade, "stageType").equals("BOOST")) {
                throw new IOException(file + ": not a boosted cascade of Haar features in OpenCV's format");
            }
            int w = Integer.parseInt(text(cascade, "width"));
            int h = Integer.parseInt(text(cascade, "height"));
            List<Stage> stages = new ArrayList<>();
            for (Element s : items(child(cascade, "stages"))) {
                List<Stump> stumps = new ArrayList<>();
                for (Element wc : items(child(s, "weakClassifiers"))) {
                    String[] node = text(wc, "internalNodes").trim().split("\\s+", -1);
                    String[] leaf = text(wc, "leafValues").trim().split("\\s+", -1);
                    if (node.length != 4 || leaf.length != 2) {
                        throw new IOException(
                                file + ": only stump cascades (one node per weak classifier) are supported");
                    }
                    stumps.add(new Stump(
                            Integer.parseInt(node[2]),
                            Float.parseFloat(node[3]),
                            Float.parseFloat(leaf[0]),
                            Float.parseFloat(leaf[1])));
                }
                stages.add(new Stage(Float.parseFloat(text(s, "stageThreshold")), stumps.toArray(new Stump[0])));
            }
            List<Rect[]> features = new ArrayList<>();
            for (Element feature : items(child(cascade, "features"))) {
                Element tilted = child(feature, "tilted");
                if (tilted != null && tilted.getTextContent().trim().equals("1")) {
                    throw new IOException(file + ": tilted Haar features are not supported");
                }
                List<Rect> rects = new ArrayList<>();
                for (Element r : items(child(feature, "rects"))) {
                    String[] v = r.getTextContent().trim().split("\\s+", -1);
                    rects.add(new Rect(
                            Integer.parseInt(v[0]),
                            Integer.parseInt(v[1]),
                            Integer.parseInt(v[2]),
                            Integer.parseInt(v[3]),
                            Float.parseFloat(v[4])));
                }
                features.add(rects.toArray(new Rect[0]));
            }
            return new HaarCascade(w, h, stages.toArray(new Stage[0]), features.toArray(new Rect[0][]));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(file + ": cannot read the cascade: " + e.getMessage(), e);
        }
    }

    /**
     * Finds objects (faces).
     *
     * @param image any image
     * @param minSize the smallest side in pixels
     * @param minNeighbours hits a group needs to count (OpenCV's default 3)
     * @return the boxes, largest first
     */
    public List<Rectangle> detect(BufferedImage image, int minSize, int minNeighbours) {
        float[] gray = gray(image);
        int iw = image.getWidth();
        int ih = image.getHeight();
        List<Rectangle> hits = new ArrayList<>();
        for (double factor = Math.max(1.0, (double) minSize / width); ; factor *= 1.1) {
            int sw = (int) Math.round(iw / factor);
            int sh = (int) Math.round(ih / factor);
            if (sw < width || sh < height) {
                break;
            }
            float[] scaled = resize(gray, iw, ih, sw, sh);
            double[] sum = new double[(sw + 1) * (sh + 1)];
            double[] sq = new double[(sw + 1) * (sh + 1)];
            integrals(scaled, sw, sh, sum, sq);
            int step = factor > 2 ? 1 : 2;
            for (int y = 0; y + height <= sh; y += step) {
                for (int x = 0; x + width <= sw; x += step) {
                    if (passes(sum, sq, sw + 1, x, y)) {
                        hits.add(new Rectangle(
                                (int) Math.round(x * factor),
                                (int) Math.round(y * factor),
                                (int) Math.round(width * factor),
                                (int) Math.round(height * factor)));
                    }
                }
            }
        }
        return Groups.of(hits, minNeighbours, 0.2);
    }

    private boolean passes(double[] sum, double[] sq, int stride, int x, int y) {
        // variance normalisation over the window without its one-pixel border, as OpenCV does
        int nx = x + 1;
        int ny = y + 1;
        int nw = width - 2;
        int nh = height - 2;
        double area = nw * nh;
        double s = box(sum, stride, nx, ny, nw, nh);
        double s2 = box(sq, stride, nx, ny, nw, nh);
        double nf = area * s2 - s * s;
        nf = nf > 0 ? Math.sqrt(nf) : 1;
        for (Stage stage : stages) {
            double total = 0;
            for (Stump st : stage.stumps()) {
                double value = 0;
                for (Rect r : features[st.feature()]) {
                    value += r.weight() * box(sum, stride, x + r.x(), y + r.y(), r.w(), r.h());
                }
                total += value < st.threshold() * nf ? st.left() : st.right();
            }
            if (total < stage.threshold()) {
                return false;
            }
        }
        return true;
    }

    private static double box(double[] ii, int stride, int x, int y, int w, int h) {
        return ii[(y + h) * stride + x + w] - ii[y * stride + x + w] - ii[(y + h) * stride + x] + ii[y * stride + x];
    }

    private static void integrals(float[] img, int w, int h, double[] sum, double[] sq) {
        int stride = w + 1;
        for (int y = 0; y < h; y++) {
            double row = 0;
            double rowSq = 0;
            for (int x = 0; x < w; x++) {
                double v = img[y * w + x];
                row += v;
                rowSq += v * v;
                sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] + row;
                sq[(y + 1) * stride + x + 1] = sq[y * stride + x + 1] + rowSq;
            }
        }
    }

    /** Luminance 0–255, as OpenCV's detector sees images. */
    private static float[] gray(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = image.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[w * h];
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            out[i] = 0.299f * (p >> 16 & 0xff) + 0.587f * (p >> 8 & 0xff) + 0.114f * (p & 0xff);
        }
        return out;
    }

    /** Bilinear resize of a gray image. */
    private static float[] resize(float[] src, int w, int h, int nw, int nh) {
        if (nw == w && nh == h) {
            return src;
        }
        float[] out = new float[nw * nh];
        double fx = (double) w / nw;
        double fy = (double) h / nh;
        for (int y = 0; y < nh; y++) {
            double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * fy - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(h - 1, y0 + 1);
            double ty = sy - y0;
            for (int x = 0; x < nw; x++) {
                double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * fx - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(w - 1, x0 + 1);
                double tx = sx - x0;
                out[y * nw + x] = (float) ((1 - ty) * ((1 - tx) * src[y0 * w + x0] + tx * src[y0 * w + x1])
                        + ty * ((1 - tx) * src[y1 * w + x0] + tx * src[y1 * w + x1]));
            }
        }
        return out;
    }

    private static String text(Element parent, String tag) {
        Element e = child(parent, tag);
        return e == null ? "" : e.getTextContent().trim();
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> items(Element parent) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals("_")) {
                out.add(e);
            }
        }
        return out;
    }
}
