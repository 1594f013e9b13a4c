package org.attnfer.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A per-image predictions file, as a run's {@code predictions.csv} and {@code fer evaluate
 * --predictions} write it: {@code index,item,true,predicted,p_CLASS…}, the classes in the order of
 * the {@code p_} columns.
 *
 * @param classes the class names
 * @param items each image's id
 * @param actual each image's true class
 * @param predicted each image's predicted class
 */
public record PredictionFile(List<String> classes, List<String> items, int[] actual, int[] predicted) {

    /**
     * Reads a file.
     *
     * @throws IOException naming the file and line when it cannot be read or is not such a file
     */
    public static PredictionFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no predictions file");
        }
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.isEmpty() ? new String[0] : splitCsv(lines.get(0));
        if (header.length < 5
                || !Arrays.asList(header).subList(0, 4).equals(List.of("index", "item", "true", "predicted"))) {
            throw new IOException(
                    file + ": not a predictions file (its first line must start with index,item,true,predicted,p_…)");
        }
        List<String> classes = Arrays.stream(header)
                .skip(4)
                .map(c -> c.replaceFirst("^p_", ""))
                .toList();
        List<String> items = new ArrayList<>();
        int[] actual = new int[lines.size() - 1];
        int[] predicted = new int[lines.size() - 1];
        int n = 0;
        for (int l = 1; l < lines.size(); l++) {
            if (lines.get(l).isBlank()) {
                continue;
            }
            String[] f = splitCsv(lines.get(l));
            actual[n] = classes.indexOf(f.length > 3 ? f[2] : "");
            predicted[n] = classes.indexOf(f.length > 3 ? f[3] : "");
            if (actual[n] < 0 || predicted[n] < 0) {
                throw new IOException(file + ":" + (l + 1) + ": expected a true and a predicted class among "
                        + String.join(", ", classes));
            }
            items.add(f[1]);
            n++;
        }
        return new PredictionFile(classes, List.copyOf(items), Arrays.copyOf(actual, n), Arrays.copyOf(predicted, n));
    }

    /** Whether each image was classified right. */
    public boolean[] correct() {
        boolean[] right = new boolean[actual.length];
        for (int i = 0; i < right.length; i++) {
            right[i] = actual[i] == predicted[i];
        }
        return right;
    }

    /** Splits one CSV line, honouring double quotes. */
    static String[] splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out.toArray(String[]::new);
    }
}
