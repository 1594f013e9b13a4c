package org.attnfer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.apache.batik.dom.GenericDOMImplementation;
import org.apache.batik.svggen.SVGGraphics2D;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The charts of a report, as PNG at twice the nominal size (for print), with JFreeChart for curves
 * and bars and Java2D for confusion matrices.
 */
public final class Charts {

    /** PNG scale over the nominal size. */
    static final double SCALE = 2.0;

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private Charts() {}

    /**
     * Per-epoch curves of a metric: for every variant the mean over seeds with a band from the
     * lowest to the highest seed, validation solid and training dashed.
     *
     * @param column {@code accuracy} or {@code loss}
     */
    public static void curves(ExperimentData data, TableSpec table, String column, Path png) throws IOException {
        YIntervalSeriesCollection series = new YIntervalSeriesCollection();
        for (String variant : table.variants()) {
            for (String split : new String[] {"val", "train"}) {
                YIntervalSeries s =
                        new YIntervalSeries(variant + (split.equals("val") ? " (validation)" : " (training)"));
                List<RunData> runs = data.runsOf(variant);
                int epochs = runs.stream()
                        .mapToInt(r -> r.epochs().getOrDefault("epoch", new double[0]).length)
                        .min()
                        .orElse(0);
                for (int e = 0; e < epochs; e++) {
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    for (RunData r : runs) {
                        double v = r.epochs().get(split + "_" + column)[e];
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                        sum += v;
                    }
                    s.add(e + 1, sum / runs.size(), lo, hi);
                }
                series.addSeries(s);
            }
        }
        String label = column.equals("accuracy") ? "Accuracy" : "Cross-entropy loss";
        JFreeChart chart = ChartFactory.createXYLineChart(
                table.name() + ": " + label.toLowerCase(Locale.ROOT) + " per epoch",
                "Epoch",
                label,
                series,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        XYPlot plot = chart.getXYPlot();
        DeviationRenderer r = new DeviationRenderer(true, false);
        for (int i = 0; i < series.getSeriesCount(); i++) {
            Color c = PALETTE[(i / 2) % PALETTE.length];
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, c);
            r.setSeriesStroke(
                    i,
                    i % 2 == 0
                            ? new BasicStroke(2f)
                            : new BasicStroke(
                                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        }
        r.setAlpha(0.15f);
        plot.setRenderer(r);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        style(chart);
        write(chart, png, 900, 520);
    }

    /** A bar per variant: mean accuracy with its 95 % interval as whiskers (half the interval's width). */
    public static void bars(ComparisonTable table, Path png) throws IOException {
        DefaultStatisticalCategoryDataset ds = new DefaultStatisticalCategoryDataset();
        for (ComparisonTable.Row row : table.rows()) {
            double half = Double.isNaN(row.ciLow()) ? 0 : (row.ciHigh() - row.ciLow()) / 2;
            ds.add(100 * row.mean()[0], 100 * half, "accuracy", row.variant());
        }
        JFreeChart chart = ChartFactory.createLineChart(
                table.spec().name() + ": accuracy with 95% intervals",
                null,
                "Accuracy (%)",
                ds,
                PlotOrientation.VERTICAL,
                false,
                false,
                false);
        CategoryPlot plot = chart.getCategoryPlot();
        StatisticalBarRenderer r = new StatisticalBarRenderer();
        r.setSeriesPaint(0, PALETTE[0]);
        r.setErrorIndicatorPaint(Color.BLACK);
        r.setDrawBarOutline(false);
        plot.setRenderer(r);
        CategoryAxis x = plot.getDomainAxis();
        x.setCategoryLabelPositions(
                table.rows().size() > 4 ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
        x.setMaximumCategoryLabelLines(2);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        style(chart);
        write(chart, png, 900, 520);
    }

    /** A confusion matrix: counts in each cell, colour by the row-normalised share (recall). */
    public static void confusion(String title, List<String> classes, int[][] counts, Path png) throws IOException {
        int k = classes.size();
        int w = CONFUSION_LEFT + k * CONFUSION_CELL + 30;
        int h = CONFUSION_TOP + k * CONFUSION_CELL + 80;
        BufferedImage img = new BufferedImage((int) (w * SCALE), (int) (h * SCALE), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.scale(SCALE, SCALE);
        drawConfusion(g, title, classes, counts, w, h);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
        writeSvg(vector(png), w, h, svg -> drawConfusion(svg, title, classes, counts, w, h));
    }

    private static final int CONFUSION_CELL = 58;
    private static final int CONFUSION_LEFT = 110;
    private static final int CONFUSION_TOP = 70;

    private static void drawConfusion(Graphics2D g, String title, List<String> classes, int[][] counts, int w, int h) {
        int k = classes.size();
        int cell = CONFUSION_CELL;
        int left = CONFUSION_LEFT;
        int top = CONFUSION_TOP;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("rows: true class, columns: predicted; colour: share of the row", 10, 40);
        for (int a = 0; a < k; a++) {
            int row = 0;
            for (int p = 0; p < k; p++) {
                row += counts[a][p];
            }
            for (int p = 0; p < k; p++) {
                double share = row == 0 ? 0 : (double) counts[a][p] / row;
                g.setColor(blue(share));
                g.fillRect(left + p * cell, top + a * cell, cell, cell);
                g.setColor(share > 0.55 ? Color.WHITE : Color.BLACK);
                String n = Integer.toString(counts[a][p]);
                String pct = String.format(Locale.ROOT, "%.0f%%", 100 * share);
                g.drawString(
                        n,
                        left + p * cell + (cell - g.getFontMetrics().stringWidth(n)) / 2,
                        top + a * cell + cell / 2 - 2);
                g.drawString(
                        pct,
                        left + p * cell + (cell - g.getFontMetrics().stringWidth(pct)) / 2,
                        top + a * cell + cell / 2 + 13);
            }
            g.setColor(Color.BLACK);
            String name = classes.get(a);
            g.drawString(name, left - 8 - g.getFontMetrics().stringWidth(name), top + a * cell + cell / 2 + 4);
        }
        for (int p = 0; p < k; p++) {
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + p * cell + cell / 2 + 4, top + k * cell + 8);
            r.rotate(Math.PI / 4);
            r.drawString(classes.get(p), 0, 0);
            r.dispose();
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, k * cell, k * cell);
    }

    private static Color blue(double t) {
        double u = Math.max(0, Math.min(1, t));
        return new Color((int) (247 - u * (247 - 8)), (int) (251 - u * (251 - 48)), (int) (255 - u * (255 - 107)));
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        if (chart.getPlot() instanceof XYPlot p) {
            p.setDomainGridlinePaint(new Color(0xdddddd));
            p.setRangeGridlinePaint(new Color(0xdddddd));
        } else if (chart.getPlot() instanceof CategoryPlot p) {
            p.setRangeGridlinePaint(new Color(0xdddddd));
        }
    }

    /** Writes the chart as PNG at print resolution and, beside it, as SVG. */
    private static void write(JFreeChart chart, Path png, int width, int height) throws IOException {
        try (OutputStream out = Files.newOutputStream(png)) {
            ChartUtils.writeScaledChartAsPNG(out, chart, width, height, (int) SCALE, (int) SCALE);
        } catch (InternalError e) {
            throw fontProblem(e);
        }
        writeSvg(vector(png), width, height, svg -> chart.draw(svg, new Rectangle2D.Double(0, 0, width, height)));
    }

    /** Draws into an SVG document with Batik (Apache-2.0, unlike JFreeSVG) and writes it. */
    private static void writeSvg(Path file, int width, int height, Consumer<Graphics2D> draw) throws IOException {
        org.w3c.dom.Document document = GenericDOMImplementation.getDOMImplementation()
                .createDocument("http://www.w3.org/2000/svg", "svg", null);
        SVGGraphics2D svg = new SVGGraphics2D(document);
        svg.setSVGCanvasSize(new Dimension(width, height));
        draw.accept(svg);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            svg.stream(out, true);
        }
    }

    /** The SVG beside a chart's PNG. */
    public static Path vector(Path png) {
        return png.resolveSibling(png.getFileName().toString().replaceFirst("\\.png$", "") + ".svg");
    }

    /** Java2D without fonts fails deep inside: say which package is missing. */
    static IOException fontProblem(Throwable e) {
        return new IOException(
                "charts need fonts: install fontconfig and a font (Debian: apt-get install fonts-dejavu-core) ("
                        + e.getMessage() + ")",
                e);
    }
}
