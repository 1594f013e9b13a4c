package org.attnfer.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.eval.Metrics;
import org.attnfer.report.PredictionFile;
import org.attnfer.report.Statistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer compare}: two models' per-image predictions on the same images, with McNemar's test. */
@Command(
        name = "compare",
        description = {
            "Compare two models on the same images from their per-image predictions (a run's predictions.csv,",
            "or the file 'fer evaluate --predictions' writes, e.g. on a held-out test folder): accuracy and",
            "macro-F1 of each, the images only one of them gets right, and McNemar's exact test of the difference."
        })
final class CompareCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "A",
            description = "A predictions CSV, or a run folder (its predictions.csv).")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The other, on the same images with the same classes.")
    Path b;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PredictionFile first = PredictionFile.read(file(a));
        PredictionFile second = aligned(PredictionFile.read(file(b)), first);
        Metrics ma = Metrics.of(first.actual(), first.predicted(), first.classes());
        Metrics mb = Metrics.of(second.actual(), second.predicted(), second.classes());
        int[] discordant = Statistics.discordant(first.correct(), second.correct());
        int onlyA = discordant[0];
        int onlyB = discordant[1];
        double p = Statistics.mcnemar(onlyA, onlyB);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", first.items().size());
            doc.put("a", Map.of("file", a.toString(), "accuracy", ma.accuracy(), "macro_f1", ma.macroF1()));
            doc.put("b", Map.of("file", b.toString(), "accuracy", mb.accuracy(), "macro_f1", mb.macroF1()));
            doc.put("only_a_right", onlyA);
            doc.put("only_b_right", onlyB);
            doc.put("mcnemar_p", p);
            Json.print(out, doc);
            return 0;
        }
        out.printf(Locale.ROOT, "A  accuracy %.4f   macro-F1 %.4f   %s%n", ma.accuracy(), ma.macroF1(), a);
        out.printf(Locale.ROOT, "B  accuracy %.4f   macro-F1 %.4f   %s%n", mb.accuracy(), mb.macroF1(), b);
        out.printf(
                Locale.ROOT,
                "%d images: %d only A gets right, %d only B; A − B accuracy %+.4f, McNemar exact p = %.3g%n",
                first.items().size(),
                onlyA,
                onlyB,
                ma.accuracy() - mb.accuracy(),
                p);
        return 0;
    }

    /** A run folder stands for its predictions.csv. */
    private static Path file(Path given) {
        return Files.isDirectory(given) ? given.resolve("predictions.csv") : given;
    }

    /** {@code other}'s rows in {@code reference}'s image order, or a one-line reason they cannot be paired. */
    private PredictionFile aligned(PredictionFile other, PredictionFile reference) {
        if (!other.classes().equals(reference.classes())) {
            throw new IllegalArgumentException(b + " has the classes " + String.join(", ", other.classes()) + ", " + a
                    + " has " + String.join(", ", reference.classes()));
        }
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < other.items().size(); i++) {
            row.put(other.items().get(i), i);
        }
        List<String> items = reference.items();
        if (row.size() != other.items().size()
                || items.size() != other.items().size()
                || !row.keySet().containsAll(items)) {
            String missing =
                    items.stream().filter(i -> !row.containsKey(i)).findFirst().orElse(null);
            throw new IllegalArgumentException(a + " and " + b + " are not on the same images (" + items.size()
                    + " and " + other.items().size() + (missing != null ? "; " + missing + " is only in " + a : "")
                    + ")");
        }
        int[] actual = new int[items.size()];
        int[] predicted = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            int j = row.get(items.get(i));
            if (other.actual()[j] != reference.actual()[i]) {
                throw new IllegalArgumentException(items.get(i) + " has another true class in " + b + " than in " + a);
            }
            actual[i] = other.actual()[j];
            predicted[i] = other.predicted()[j];
        }
        return new PredictionFile(other.classes(), items, actual, predicted);
    }
}
