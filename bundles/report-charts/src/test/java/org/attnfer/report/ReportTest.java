package org.attnfer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.attnfer.report.internal.BarsSection;
import org.attnfer.report.internal.ConfusionSection;
import org.attnfer.report.internal.CurvesSection;
import org.attnfer.report.internal.SetupSection;
import org.attnfer.report.internal.TablesSection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports of fixed run folders: numbers checked by hand, every chart drawn and not blank. */
class ReportTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> CLASSES = List.of("a", "b");

    @TempDir
    Path dir;

    /** Writes a run folder whose predictions get item i right when correct[i]. */
    private void run(String variant, long seed, boolean[] correct, long params) throws IOException {
        Path d = Files.createDirectories(
                dir.resolve(variant.replaceAll("[^A-Za-z0-9+._-]", "_")).resolve("seed-" + seed));
        int[][] confusion = new int[2][2];
        StringBuilder p = new StringBuilder("index,item,true,predicted,p_a,p_b\n");
        int right = 0;
        for (int i = 0; i < correct.length; i++) {
            int actual = i % 2;
            int predicted = correct[i] ? actual : 1 - actual;
            confusion[actual][predicted]++;
            right += correct[i] ? 1 : 0;
            p.append(i)
                    .append(",item")
                    .append(i)
                    .append(',')
                    .append(CLASSES.get(actual))
                    .append(',')
                    .append(CLASSES.get(predicted))
                    .append(",0.5,0.5\n");
        }
        Files.writeString(d.resolve("predictions.csv"), p);
        Map<String, Object> m = new LinkedHashMap<>();
        double acc = (double) right / correct.length;
        m.put("accuracy", acc);
        m.put("macro_precision", acc);
        m.put("macro_recall", acc);
        m.put("macro_f1", acc);
        m.put("per_class", Map.of("a", Map.of(), "b", Map.of()));
        m.put("confusion", confusion);
        m.put("evaluated_on", "test");
        JSON.writeValue(d.resolve("metrics.json").toFile(), m);
        JSON.writeValue(
                d.resolve("manifest.json").toFile(),
                Map.of("variant", variant, "model", "m", "seed", seed, "parameters", params, "macs", 1000));
        Files.writeString(
                d.resolve("epochs.csv"),
                "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,seconds\n"
                        + "1,1.0,0.5,1.1,0.45,0.4,0.1,1.0\n2,0.8,0.6,0.9," + (0.5 + seed * 0.01) + ",0.5,0.1,1.0\n");
    }

    private static boolean[] pattern(int n, int wrongEvery) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) {
            b[i] = i % wrongEvery != 0;
        }
        return b;
    }

    private void experiment(String... variants) throws IOException {
        JSON.writeValue(
                dir.resolve("experiment.json").toFile(),
                Map.of(
                        "name",
                        "fixed",
                        "classes",
                        CLASSES,
                        "variants",
                        List.of(variants),
                        "tables",
                        List.of(Map.of(
                                "name", "Table <1> & 50%_", "baseline", variants[0], "variants", List.of(variants)))));
    }

    @Test
    void seedsGiveMeanSdAndATInterval() throws IOException {
        // baseline: accuracies 0.75, 0.80, 0.85 over three seeds (20 items each)
        run("base", 0, pattern(20, 4), 10);
        boolean[] b80 = pattern(20, 5);
        run("base", 1, b80, 10);
        boolean[] b85 = pattern(20, 4);
        b85[0] = true;
        b85[4] = true;
        run("base", 2, b85, 10);
        run("better", 0, pattern(20, 10), 12);
        run("better", 1, pattern(20, 10), 12);
        run("better", 2, pattern(20, 20), 12);
        experiment("base", "better");
        ExperimentData data = ExperimentData.load(dir);
        ComparisonTable t = ComparisonTable.of(data.tables().get(0), data);
        ComparisonTable.Row base = t.rows().get(0);
        assertThat(base.seeds()).isEqualTo(3);
        assertThat(base.mean()[0]).isCloseTo(0.80, within(1e-12));
        assertThat(base.sd()[0]).isCloseTo(0.05, within(1e-12));
        // t(0.975, 2) = 4.302653; half width 4.302653 · 0.05 / √3
        double half = 4.302652729911275 * 0.05 / Math.sqrt(3);
        assertThat(base.ciLow()).isCloseTo(0.80 - half, within(1e-9));
        assertThat(base.ciHigh()).isCloseTo(0.80 + half, within(1e-9));
        assertThat(base.ciMethod()).isEqualTo("t");
        ComparisonTable.Row better = t.rows().get(1);
        assertThat(better.mean()[0]).isCloseTo((0.9 + 0.9 + 0.95) / 3, within(1e-12));
        assertThat(better.delta()).isCloseTo((0.9 + 0.9 + 0.95) / 3 - 0.8, within(1e-12));
        assertThat(better.test()).isEqualTo("paired bootstrap");
        assertThat(better.p()).isBetween(0.0, 0.2);
        assertThat(t.best(0)).isEqualTo(1);
    }

    @Test
    void mcNemarKeepsTinyPValues() {
        // 300 discordant pairs all one way: p = 2 · 2^-300, far below what 1 − (upper tail) can hold
        assertThat(Statistics.mcnemar(300, 0)).isCloseTo(Math.pow(2, -299), withinPercentage(1e-9));
        // 1 against 40: 2 · (1 + 41) / 2^41
        assertThat(Statistics.mcnemar(1, 40)).isCloseTo(2.0 * 42 / Math.pow(2, 41), withinPercentage(1e-9));
        assertThat(Statistics.mcnemar(0, 0)).isEqualTo(1.0);
    }

    @Test
    void oneSeedGivesMcNemarAndABootstrapInterval() throws IOException {
        // 100 items: baseline right on 70; the variant right on the same 70 plus 12 more, wrong on 2 of the 70
        boolean[] base = new boolean[100];
        boolean[] variant = new boolean[100];
        for (int i = 0; i < 100; i++) {
            base[i] = i < 70;
            variant[i] = (i < 70 && i >= 2) || (i >= 70 && i < 82);
        }
        run("base", 0, base, 10);
        run("variant", 0, variant, 10);
        experiment("base", "variant");
        ExperimentData data = ExperimentData.load(dir);
        ComparisonTable.Row row =
                ComparisonTable.of(data.tables().get(0), data).rows().get(1);
        assertThat(row.test()).isEqualTo("McNemar");
        // discordant pairs 12 vs 2: p = 2 · P(X ≤ 2), X ~ Bin(14, 1/2) = 2 · (1 + 14 + 91) / 16384
        assertThat(row.p()).isCloseTo(2.0 * (1 + 14 + 91) / 16384, within(1e-12));
        assertThat(row.ciMethod()).isEqualTo("bootstrap");
        assertThat(row.ciLow()).isBetween(0.70, 0.80);
        assertThat(row.ciHigh()).isBetween(0.84, 0.92);
    }

    @Test
    void aRunIsNamedByItsDescriptionWhereItsManifestHasOne() throws IOException {
        run("narrow", 0, pattern(10, 2), 1);
        run("older", 0, pattern(10, 2), 1);
        Path manifest = dir.resolve("narrow/seed-0/manifest.json");
        JSON.writeValue(
                manifest.toFile(),
                Map.of(
                        "variant",
                        "narrow",
                        "model",
                        "resnet18+simam",
                        "description",
                        "resnet18+simam, half stem, width 0.5",
                        "seed",
                        0));
        experiment("narrow", "older");
        Map<String, String> models = new LinkedHashMap<>();
        ExperimentData.load(dir).runs().forEach(r -> models.put(r.variant(), r.model()));
        assertThat(models)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("narrow", "resnet18+simam, half stem, width 0.5", "older", "m"));
    }

    @Test
    void namesAreEscapedInEveryFormat() throws IOException {
        run("<b>&_%", 0, pattern(10, 3), 1);
        run("plain", 0, pattern(10, 2), 1);
        experiment("<b>&_%", "plain");
        ExperimentData data = ExperimentData.load(dir);
        ComparisonTable t = ComparisonTable.of(data.tables().get(0), data);
        assertThat(TableFormats.html(t)).contains("&lt;b&gt;&amp;_%").doesNotContain("<b>&");
        assertThat(TableFormats.latex(t))
                .contains("\\textless{}b\\textgreater{}\\&\\_\\%")
                .contains("\\caption{Table \\textless{}1\\textgreater{} \\& 50\\%\\_}")
                .contains("\\toprule")
                .contains("\\bottomrule");
        assertThat(TableFormats.markdown(t)).contains("\\<b\\>\\&\\_%");
        assertThat(TableFormats.csv(t))
                .startsWith("variant,seeds,accuracy_mean,accuracy_sd")
                .contains("<b>&_%,1,");
    }

    @Test
    void theReportDrawsEveryChartAndEveryImageLoads() throws IOException {
        run("base", 0, pattern(20, 4), 10);
        run("base", 1, pattern(20, 5), 10);
        run("other", 0, pattern(20, 3), 11);
        run("other", 1, pattern(20, 6), 11);
        experiment("base", "other");
        Path index = Report.write(
                dir,
                dir.resolve("report"),
                List.of(
                        new TablesSection(),
                        new CurvesSection(),
                        new BarsSection(),
                        new ConfusionSection(),
                        new SetupSection()));
        String html = Files.readString(index);
        assertThat(html)
                .contains(
                        "<h2>Tables</h2>",
                        "<h2>Training curves</h2>",
                        "<h2>Confusion matrices</h2>",
                        "Table &lt;1&gt; &amp; 50%_");
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        List<String> images = new ArrayList<>();
        while (m.find()) {
            images.add(m.group(1));
        }
        assertThat(images).hasSize(2 + 1 + 2);
        for (String src : images) {
            BufferedImage img = ImageIO.read(dir.resolve("report").resolve(src).toFile());
            assertThat(img).as(src).isNotNull();
            assertThat(distinctColours(img)).as("%s is not blank", src).isGreaterThan(20);
            // the vector twin: well-formed SVG with the chart's text in it, linked from the page
            Path svg = Charts.vector(dir.resolve("report").resolve(src));
            assertThat(html).contains("href=\"" + svg.getFileName() + "\"");
            org.w3c.dom.Document doc = parseXml(svg);
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(doc.getElementsByTagName("text").getLength())
                    .as("%s has text", svg)
                    .isGreaterThan(3);
        }
        assertThat(dir.resolve("report").resolve("table-table-1-50.csv")).exists();
        assertThat(dir.resolve("report").resolve("table-table-1-50.tex"))
                .content()
                .contains("\\begin{tabular}");
    }

    private static org.w3c.dom.Document parseXml(Path file) throws IOException {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            // Batik writes a DOCTYPE naming the SVG 1.0 DTD: do not fetch it
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
