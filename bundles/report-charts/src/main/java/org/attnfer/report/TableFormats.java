package org.attnfer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A comparison table as CSV (raw numbers), Markdown, LaTeX (booktabs) and HTML. Names are escaped
 * for each format, so a class or variant named {@code <b>&_%} shows as text. The best mean of
 * each metric column is marked (bold).
 */
public final class TableFormats {

    private TableFormats() {}

    private static List<String[]> columns(ComparisonTable t) {
        List<String[]> cols = new ArrayList<>(ComparisonTable.METRICS);
        if (t.hasFocus()) {
            cols.addAll(ComparisonTable.FOCUS);
        }
        return cols;
    }

    /** Every number unrounded, one line per variant. */
    public static String csv(ComparisonTable t) {
        StringBuilder sb = new StringBuilder("variant,seeds");
        for (String[] c : columns(t)) {
            sb.append(',').append(c[0]).append("_mean,").append(c[0]).append("_sd");
        }
        sb.append(",accuracy_ci_low,accuracy_ci_high,ci_method,params,macs,delta_accuracy,p_value,test\n");
        for (ComparisonTable.Row r : t.rows()) {
            sb.append(csvCell(r.variant())).append(',').append(r.seeds());
            for (int c = 0; c < columns(t).size(); c++) {
                sb.append(',').append(num(r.mean()[c])).append(',').append(num(r.sd()[c]));
            }
            sb.append(',')
                    .append(num(r.ciLow()))
                    .append(',')
                    .append(num(r.ciHigh()))
                    .append(',')
                    .append(r.ciMethod())
                    .append(',')
                    .append(r.params())
                    .append(',')
                    .append(r.macs())
                    .append(',')
                    .append(num(r.delta()))
                    .append(',')
                    .append(num(r.p()))
                    .append(',')
                    .append(r.test())
                    .append('\n');
        }
        return sb.toString();
    }

    /** A Markdown table. */
    public static String markdown(ComparisonTable t) {
        List<String> head = header(t);
        StringBuilder sb =
                new StringBuilder("| ").append(String.join(" | ", head)).append(" |\n|");
        head.forEach(h -> sb.append(h.equals("Variant") ? "---|" : "---:|"));
        sb.append('\n');
        for (List<String> row : cells(t, s -> "**" + s + "**", TableFormats::markdownText)) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.append('\n').append(footnote(t)).append('\n').toString();
    }

    /** A LaTeX table with booktabs rules. */
    public static String latex(ComparisonTable t) {
        List<String> head = header(t);
        StringBuilder sb = new StringBuilder("\\begin{table}[t]\n\\centering\n\\caption{")
                .append(latexText(t.spec().name()))
                .append("}\n");
        sb.append("\\begin{tabular}{l").append("r".repeat(head.size() - 1)).append("}\n\\toprule\n");
        sb.append(String.join(" & ", head.stream().map(TableFormats::latexText).toList()))
                .append(" \\\\\n\\midrule\n");
        for (List<String> row : cells(t, s -> "\\textbf{" + s + "}", TableFormats::latexText)) {
            sb.append(String.join(" & ", row)).append(" \\\\\n");
        }
        return sb.append("\\bottomrule\n\\end{tabular}\n\\par\\smallskip\\footnotesize ")
                .append(latexText(footnote(t)))
                .append("\n\\end{table}\n")
                .toString();
    }

    /** An HTML table. */
    public static String html(ComparisonTable t) {
        StringBuilder sb = new StringBuilder("<table class=\"cmp\">\n<caption>")
                .append(Html.escape(t.spec().name()))
                .append("</caption>\n<tr>");
        header(t).forEach(h -> sb.append("<th>").append(Html.escape(h)).append("</th>"));
        sb.append("</tr>\n");
        for (List<String> row : cells(t, s -> "<strong>" + s + "</strong>", Html::escape)) {
            sb.append("<tr>");
            row.forEach(c -> sb.append("<td>").append(c).append("</td>"));
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n<p class=\"note\">")
                .append(Html.escape(footnote(t)))
                .append("</p>\n")
                .toString();
    }

    private static List<String> header(ComparisonTable t) {
        List<String> h = new ArrayList<>(List.of("Variant", "Seeds"));
        columns(t).forEach(c -> h.add(c[1] + " (%)"));
        h.addAll(List.of("95% CI of accuracy", "Params", "MACs", "Δ accuracy", "p"));
        return h;
    }

    private static List<List<String>> cells(
            ComparisonTable t, UnaryOperator<String> bold, UnaryOperator<String> escape) {
        List<List<String>> out = new ArrayList<>();
        int columns = columns(t).size();
        int[] best = new int[columns];
        for (int c = 0; c < columns; c++) {
            best[c] = t.best(c);
        }
        for (int i = 0; i < t.rows().size(); i++) {
            ComparisonTable.Row r = t.rows().get(i);
            List<String> row = new ArrayList<>();
            row.add(escape.apply(r.variant()));
            row.add(Integer.toString(r.seeds()));
            for (int c = 0; c < columns; c++) {
                String v = ComparisonTable.pct(r.mean()[c])
                        + (Double.isNaN(r.sd()[c]) ? "" : " ± " + ComparisonTable.pct(r.sd()[c]));
                row.add(best[c] == i && t.rows().size() > 1 ? bold.apply(v) : v);
            }
            row.add(
                    Double.isNaN(r.ciLow())
                            ? "–"
                            : "[" + ComparisonTable.pct(r.ciLow()) + ", " + ComparisonTable.pct(r.ciHigh()) + "]");
            row.add(r.params() < 0 ? "–" : String.format(Locale.ROOT, "%.2fM", r.params() / 1e6));
            row.add(r.macs() < 0 ? "–" : String.format(Locale.ROOT, "%.1fM", r.macs() / 1e6));
            row.add(
                    r.variant().equals(t.spec().baseline())
                            ? "(baseline)"
                            : String.format(Locale.ROOT, "%+.2f", 100 * r.delta()));
            row.add(Double.isNaN(r.p()) ? "–" : String.format(Locale.ROOT, "%.3g", r.p()));
            out.add(row);
        }
        return out;
    }

    private static String footnote(ComparisonTable t) {
        return "Mean ± standard deviation over seeds. "
                + "Intervals: t over seeds (two or more seeds), else bootstrap over items. "
                + "p: McNemar's exact test (one seed each) or a paired bootstrap over items, against "
                + t.spec().baseline() + ".";
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Escapes Markdown's special characters. */
    static String markdownText(String s) {
        return s.replaceAll("([\\\\`*_{}\\[\\]()#+!|<>&-])", "\\\\$1");
    }

    /** Escapes LaTeX's special characters. */
    static String latexText(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\textbackslash{}");
                case '&', '%', '$', '#', '_', '{', '}' -> sb.append('\\').append(c);
                case '~' -> sb.append("\\textasciitilde{}");
                case '^' -> sb.append("\\textasciicircum{}");
                case '<' -> sb.append("\\textless{}");
                case '>' -> sb.append("\\textgreater{}");
                case '±' -> sb.append("$\\pm$");
                case 'Δ' -> sb.append("$\\Delta$");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
