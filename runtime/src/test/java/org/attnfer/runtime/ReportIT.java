package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a small experiment, as a reader sees it: opened from disk in Debian's headless
 * Chromium, every image of the page loaded.
 */
class ReportIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path tmp;

    private static final String EXPERIMENT = """
            name: report
            dataset: {type: synthetic-faces, count: 140, size: 16, identities: 20}
            test: {type: synthetic-faces, split: test, count: 70, size: 16, identities: 10}
            validation: 0.25
            input: {size: 16, channels: 1}
            variants:
              - {name: plain, model: resnet18}
              - {name: "<b>&_%", model: resnet18+ca}
            seeds: [0, 1]
            training: {epochs: 2, batch_size: 16, lr: 0.01}
            """;

    /** Runs the page with a check appended that counts images that did not load; returns the check's line. */
    private String brokenImages(Path index) throws Exception {
        Path page = index.resolveSibling("check-" + index.getFileName());
        String html = Files.readString(index);
        String script = "<script>window.addEventListener('load', () => { const imgs = [...document.images];"
                + " const bad = imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));"
                + " const p = document.createElement('pre'); p.id = 'check';"
                + " p.textContent = 'images ' + imgs.length + ' broken ' + bad.length + ' ' + bad.join(' ');"
                + " document.body.appendChild(p); });</script>";
        Files.writeString(page, html.replace("</body>", script + "</body>"));
        Process p = new ProcessBuilder(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"),
                        "--allow-file-access-from-files",
                        "--virtual-time-budget=10000",
                        "--dump-dom",
                        page.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        Matcher m = Pattern.compile("<pre id=\"check\">([^<]*)</pre>").matcher(dom);
        assertThat(m.find())
                .as("the check ran in the page: " + dom.substring(0, Math.min(300, dom.length())))
                .isTrue();
        return m.group(1);
    }

    @Test
    void theReportOpensOfflineWithEveryImageLoaded() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "skipped: Debian's chromium is not installed (.ci/run installs it where it can)");
        Path experiment = Files.writeString(tmp.resolve("report.yaml"), EXPERIMENT);
        Path runs = tmp.resolve("runs");
        Process run = new ProcessBuilder(
                        DistributionIT.DIST.resolve("bin/fer").toString(),
                        "run",
                        experiment.toString(),
                        "--output",
                        runs.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(run.exitValue()).as(log).isZero();

        DistributionIT.Result r = DistributionIT.fer(DistributionIT.DIST, "report", runs.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path index = runs.resolve("report/index.html");
        String html = Files.readString(index);
        // the hostile variant name is text, never markup
        assertThat(html).contains("&lt;b&gt;&amp;_%").doesNotContain("<b>&_%");
        String check = brokenImages(index);
        assertThat(check).matches("images \\d+ broken 0 ");
        assertThat(Integer.parseInt(check.split(" ", -1)[1])).isGreaterThanOrEqualTo(6);

        // the check itself can fail: a missing chart shows as broken
        Path png;
        try (var pngs = Files.walk(index.getParent())) {
            png = pngs.filter(f -> f.toString().endsWith(".png")).findFirst().orElseThrow();
        }
        Files.delete(png);
        assertThat(brokenImages(index)).contains("broken 1 ");
    }
}
