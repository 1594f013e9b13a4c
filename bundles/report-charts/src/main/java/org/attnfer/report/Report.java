package org.attnfer.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.attnfer.api.report.ReportContext;
import org.attnfer.api.report.ReportSection;
import org.attnfer.api.report.RunRecord;

/**
 * A report of an experiment's runs: every {@link ReportSection} writes its files into the report
 * folder and contributes a part of {@code index.html}, which opens offline (no external assets).
 */
public final class Report implements ReportContext {

    private final ExperimentData data;
    private final Path dir;

    private Report(ExperimentData data, Path dir) {
        this.data = data;
        this.dir = dir;
    }

    /** The experiment behind a context made by this class. */
    public static ExperimentData data(ReportContext context) {
        if (context instanceof Report r) {
            return r.data;
        }
        throw new IllegalArgumentException(
                "not a report of AttnFER run folders: " + context.getClass().getName());
    }

    /**
     * Writes a report.
     *
     * @param runs the experiment's output folder (its run folders inside)
     * @param dir the report folder
     * @param sections the sections, in any order
     * @return the path of {@code index.html}
     */
    public static Path write(Path runs, Path dir, List<ReportSection> sections) throws IOException {
        ExperimentData data = ExperimentData.load(runs);
        Files.createDirectories(dir);
        Report report = new Report(data, dir);
        List<ReportSection> ordered = new ArrayList<>(sections);
        ordered.sort(Comparator.comparingInt(ReportSection::order).thenComparing(ReportSection::id));
        StringBuilder nav = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (ReportSection s : ordered) {
            Optional<String> html;
            try {
                html = s.render(report);
            } catch (IOException | RuntimeException e) {
                html = Optional.of("<p class=\"error\">This section failed: "
                        + Html.escape(String.valueOf(e.getMessage())) + "</p>");
            }
            if (html.isPresent()) {
                nav.append("<a href=\"#")
                        .append(Html.escape(s.id()))
                        .append("\">")
                        .append(Html.escape(s.title()))
                        .append("</a> ");
                body.append("<section id=\"")
                        .append(Html.escape(s.id()))
                        .append("\">\n<h2>")
                        .append(Html.escape(s.title()))
                        .append("</h2>\n")
                        .append(html.get())
                        .append("\n</section>\n");
            }
        }
        String page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
                + Html.escape(data.name())
                + " – AttnFER report</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<header>\n<h1>"
                + Html.escape(data.name())
                + "</h1>\n<p>" + data.runs().size() + " runs of "
                + data.variants().size() + " variants; metrics on the "
                + Html.escape(data.evaluatedOn()) + " set; written "
                + LocalDateTime.now(ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + " by AttnFER.</p>\n"
                + (data.missing().isEmpty()
                        ? ""
                        : "<p class=\"note\">A partial grid: " + data.missing().size() + " runs are not complete yet ("
                                + Html.escape(String.join(", ", data.missing())) + "); the report shows the "
                                + data.runs().size() + " that are.</p>\n")
                + "<nav>" + nav + "</nav>\n</header>\n" + body + "</body>\n</html>\n";
        Path index = dir.resolve("index.html");
        Files.writeString(index, page);
        return index;
    }

    @Override
    public Path reportDir() {
        return dir;
    }

    @Override
    public List<RunRecord> runs() {
        return data.runs().stream()
                .map(r -> new RunRecord(r.variant(), r.model(), r.seed(), r.dir(), r.metrics()))
                .toList();
    }

    @Override
    public List<String> classes() {
        return data.classes();
    }

    /** A file name fit for any name: letters, digits and {@code -}. */
    public static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.isEmpty() ? "x" : s;
    }

    /** A chart of {@link Charts}: its PNG, with a link to the SVG written beside it. */
    public static String chart(String png, String alt) {
        String svg = Charts.vector(Path.of(png)).toString();
        return img(png, alt) + "<figcaption><a href=\"" + Html.escape(svg) + "\">vector (SVG)</a></figcaption>";
    }

    /** An image element for a file of the report folder. */
    public static String img(String file, String alt) {
        return "<img src=\"" + Html.escape(file) + "\" alt=\"" + Html.escape(alt) + "\">";
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
            header { border-bottom: 1px solid #ccc; margin-bottom: 1em; }
            nav a { margin-right: 1em; }
            table.cmp { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
            table.cmp caption { text-align: left; font-weight: bold; margin-bottom: 0.3em; }
            table.cmp th, table.cmp td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }
            table.cmp th:first-child, table.cmp td:first-child { text-align: left; }
            img { max-width: 100%; height: auto; margin: 0.5em 0; }
            .note { color: #555; font-size: 0.85em; }
            .error { color: #a00; }
            .grid { display: flex; flex-wrap: wrap; gap: 1em; }
            .grid figure { margin: 0; max-width: 48%; }
            pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
            """;
}
