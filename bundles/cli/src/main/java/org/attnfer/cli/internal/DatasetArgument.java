package org.attnfer.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.data.BadInput;
import org.attnfer.data.Fer2013Csv;
import org.attnfer.experiment.DatasetCatalog;

/**
 * A dataset named on the command line: a dataset kind ({@code synthetic-faces}) with options, a
 * folder, or a FER2013 CSV. A folder whose sub-folders are themselves class folders ({@code
 * train/}, {@code test/}) is read as one dataset per split, a CSV as one per Usage.
 */
final class DatasetArgument {

    private DatasetArgument() {}

    /**
     * Opens the dataset(s) an argument names.
     *
     * @param catalog the available kinds
     * @param name a kind id or a path
     * @param options {@code key=value} options of a kind
     * @return datasets by split name
     */
    static Map<String, Dataset> open(DatasetCatalog catalog, String name, List<String> options) throws IOException {
        Map<String, Dataset> out = new LinkedHashMap<>();
        if (catalog.find(name).isPresent()) {
            DatasetProvider p = catalog.find(name).get();
            out.put(
                    name,
                    p.open(
                            Params.validate(p.options(), parse(options)),
                            Path.of("").toAbsolutePath()));
            return out;
        }
        Path path = Path.of(name);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no dataset kind or folder '" + name + "' (kinds: "
                    + String.join(
                            ", ",
                            catalog.providers().stream()
                                    .map(DatasetProvider::id)
                                    .sorted()
                                    .toList()) + ")");
        }
        if (Files.isRegularFile(path)
                && path.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            DatasetProvider csv = catalog.find("fer2013-csv")
                    .orElseThrow(() -> new IllegalStateException("the fer2013-csv kind is not installed"));
            Map<String, Object> raw = parse(options);
            raw.put("path", path.toAbsolutePath().toString());
            // one dataset per Usage (or the one asked for), each read from the one parse Fer2013Csv keeps
            List<String> usages = raw.containsKey("usage")
                    ? List.of(raw.get("usage").toString())
                    : List.copyOf(Fer2013Csv.read(path, BadInput.of(Params.validate(csv.options(), raw)))
                            .usages()
                            .keySet());
            for (String usage : usages) {
                raw.put("usage", usage);
                out.put(
                        usage,
                        csv.open(
                                Params.validate(csv.options(), raw), Path.of("").toAbsolutePath()));
            }
            return out;
        }
        DatasetProvider folders = catalog.find("image-folder")
                .orElseThrow(() -> new IllegalStateException("the image-folder kind is not installed"));
        List<Path> splits = splitFolders(path);
        if (splits.isEmpty()) {
            out.put(path.getFileName().toString(), folder(folders, path, options));
        } else {
            for (Path s : splits) {
                out.put(s.getFileName().toString(), folder(folders, s, options));
            }
        }
        return out;
    }

    private static Dataset folder(DatasetProvider p, Path dir, List<String> options) throws IOException {
        Map<String, Object> raw = parse(options);
        raw.put("path", dir.toAbsolutePath().toString());
        return p.open(Params.validate(p.options(), raw), Path.of("").toAbsolutePath());
    }

    /** Sub-folders that contain class folders rather than images. */
    private static List<Path> splitFolders(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> subs = children.filter(Files::isDirectory).sorted().toList();
            boolean nested = !subs.isEmpty() && subs.stream().allMatch(DatasetArgument::holdsOnlyFolders);
            return nested ? subs : List.of();
        }
    }

    private static boolean holdsOnlyFolders(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> all = children.filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList();
            return !all.isEmpty() && all.stream().allMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, Object> parse(List<String> options) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--option " + o + ": expected key=value");
            }
            out.put(o.substring(0, eq).strip(), o.substring(eq + 1).strip());
        }
        return out;
    }
}
