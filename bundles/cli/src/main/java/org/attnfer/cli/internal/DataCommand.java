package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.api.data.Sample;
import org.attnfer.experiment.DatasetCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer data}: look at datasets before training on them. */
@Command(
        name = "data",
        description = "Look at datasets: a labelled preview grid, counts, sizes and duplicates.",
        subcommands = {DataCommand.Kinds.class, DataCommand.Preview.class, DataCommand.Stats.class})
final class DataCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by the data commands. */
    static final class Source {
        @Parameters(
                index = "0",
                paramLabel = "DATASET",
                description = "A dataset kind (synthetic-faces), a folder of class folders (or of split folders), or a "
                        + "FER2013 CSV.")
        String name;

        @Option(
                names = {"-o", "--option"},
                paramLabel = "KEY=VALUE",
                description =
                        "An option of the dataset kind, e.g. -o count=700 -o small_faces=0.5, or for folders and CSVs"
                                + " -o on_error=skip, -o contempt=true; `fer data kinds` lists every kind's options.")
        List<String> options = new ArrayList<>();
    }

    /** {@code fer data kinds}. */
    @Command(name = "kinds", description = "List the dataset kinds the running bundles supply, with their options.")
    static final class Kinds implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        private final DatasetCatalog catalog;

        @Inject
        Kinds(DatasetCatalog catalog) {
            this.catalog = catalog;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            catalog.providers().stream()
                    .sorted(Comparator.comparing(DatasetProvider::id))
                    .forEach(p -> {
                        out.println(p.id() + ": " + p.doc());
                        p.options().forEach(o -> out.println("  " + o.describe()));
                    });
            return 0;
        }
    }

    /** {@code fer data preview}. */
    @Command(name = "preview", description = "Write a labelled grid of samples: one column per class.")
    static final class Preview implements Callable<Integer> {

        @CommandLine.Mixin
        Source source = new Source();

        @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The grid image to write.")
        Path out;

        @Option(
                names = "--rows",
                converter = Bounds.AtLeastOne.class,
                paramLabel = "N",
                description = "Samples per class (default: ${DEFAULT-VALUE}).",
                defaultValue = "6")
        int rows;

        @Option(
                names = "--cell",
                converter = Bounds.AtLeastOne.class,
                paramLabel = "PX",
                description = "Side of one cell in pixels (default: ${DEFAULT-VALUE}).",
                defaultValue = "96")
        int cell;

        @Option(
                names = "--regions",
                description = "Outline the known face regions (face, brows, eyes, mouth) where the dataset knows them.")
        boolean regions;

        @Spec
        CommandSpec spec;

        private final DatasetCatalog catalog;

        @Inject
        Preview(DatasetCatalog catalog) {
            this.catalog = catalog;
        }

        @Override
        public Integer call() throws Exception {
            Map<String, Dataset> splits = DatasetArgument.open(catalog, source.name, source.options);
            Dataset d = splits.values().iterator().next();
            List<String> classes = d.classes();
            int header = 22;
            BufferedImage grid =
                    new BufferedImage(classes.size() * cell, header + rows * cell, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = grid.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            int[] filled = new int[classes.size()];
            for (int c = 0; c < classes.size(); c++) {
                g.setColor(Color.BLACK);
                int w = g.getFontMetrics().stringWidth(classes.get(c));
                g.drawString(classes.get(c), c * cell + (cell - w) / 2, 16);
            }
            for (int i = 0; i < d.size() && Arrays.stream(filled).anyMatch(f -> f < rows); i++) {
                int c = d.label(i);
                if (filled[c] >= rows) {
                    continue;
                }
                Sample s = d.get(i);
                int x = c * cell;
                int y = header + filled[c] * cell;
                g.drawImage(s.image(), x, y, cell, cell, null);
                if (regions) {
                    AffineTransform t = new AffineTransform();
                    t.translate(x, y);
                    t.scale(
                            (double) cell / s.image().getWidth(),
                            (double) cell / s.image().getHeight());
                    Map<String, Color> colors = Map.of(
                            "face", Color.GREEN, "brows", Color.ORANGE, "eyes", Color.CYAN, "mouth", Color.MAGENTA);
                    g.setStroke(new BasicStroke(1.2f));
                    for (Map.Entry<String, Shape> r : s.regions().entrySet()) {
                        g.setColor(colors.getOrDefault(r.getKey(), Color.YELLOW));
                        g.draw(t.createTransformedShape(r.getValue()));
                    }
                }
                filled[c]++;
            }
            g.dispose();
            Outputs.png(grid, out);
            spec.commandLine()
                    .getOut()
                    .println("Wrote " + out + ": " + classes.size() + " classes × " + rows + " samples of "
                            + d.describe());
            return 0;
        }
    }

    /** {@code fer data stats}. */
    @Command(
            name = "stats",
            description = {
                "Count a dataset: items per class and split, image sizes and channels, and duplicates",
                "(identical decoded pixels) within and across splits."
            })
    static final class Stats implements Callable<Integer> {

        @CommandLine.Mixin
        Source source = new Source();

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(
                names = "--threads",
                converter = Bounds.AtLeastOne.class,
                paramLabel = "N",
                description = "Decoding threads (default: the number of cores).")
        Integer threads;

        @Spec
        CommandSpec spec;

        private final DatasetCatalog catalog;

        @Inject
        Stats(DatasetCatalog catalog) {
            this.catalog = catalog;
        }

        /** What one item contributes. */
        private record Item(String size, String channels, String hash) {}

        @Override
        public Integer call() throws Exception {
            Map<String, Dataset> splits = DatasetArgument.open(catalog, source.name, source.options);
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dataset", source.name);
            Map<String, Object> perSplit = new LinkedHashMap<>();
            Map<String, Integer> sizes = new TreeMap<>();
            Map<String, Integer> channels = new TreeMap<>();
            Map<String, List<String>> seen = new LinkedHashMap<>();
            Map<String, Object> within = new LinkedHashMap<>();
            int total = 0;
            long started = System.nanoTime();
            for (Map.Entry<String, Dataset> e : splits.entrySet()) {
                Dataset d = e.getValue();
                List<Item> items = scan(e.getKey(), d);
                int[] counts = new int[d.classes().size()];
                Map<String, Integer> hashes = new LinkedHashMap<>();
                for (int i = 0; i < d.size(); i++) {
                    counts[d.label(i)]++;
                    Item it = items.get(i);
                    sizes.merge(it.size(), 1, Integer::sum);
                    channels.merge(it.channels(), 1, Integer::sum);
                    hashes.merge(it.hash(), 1, Integer::sum);
                    seen.computeIfAbsent(it.hash(), k -> new ArrayList<>()).add(e.getKey());
                }
                Map<String, Integer> perClass = new LinkedHashMap<>();
                for (int c = 0; c < counts.length; c++) {
                    perClass.put(d.classes().get(c), counts[c]);
                }
                perSplit.put(e.getKey(), Map.of("count", d.size(), "per_class", perClass, "skipped", d.skipped()));
                long groups = hashes.values().stream().filter(n -> n > 1).count();
                int extra = hashes.values().stream()
                        .filter(n -> n > 1)
                        .mapToInt(n -> n - 1)
                        .sum();
                within.put(e.getKey(), Map.of("groups", groups, "redundant_images", extra));
                total += d.size();
            }
            long crossGroups = seen.values().stream()
                    .filter(l -> l.stream().distinct().count() > 1)
                    .count();
            doc.put("total", total);
            doc.put("splits", perSplit);
            doc.put("sizes", sizes);
            doc.put("channels", channels);
            doc.put("duplicates", Map.of("within", within, "across_splits_groups", crossGroups));
            doc.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
            if (json) {
                Json.print(out, doc);
                return 0;
            }
            List<String> classes = splits.values().iterator().next().classes();
            String[] header = new String[classes.size() + 2];
            header[0] = "SPLIT";
            for (int c = 0; c < classes.size(); c++) {
                header[c + 1] = ">" + classes.get(c).toUpperCase(Locale.ROOT);
            }
            header[header.length - 1] = ">TOTAL";
            Table t = new Table(header);
            for (Map.Entry<String, Dataset> e : splits.entrySet()) {
                Object[] row = new Object[classes.size() + 2];
                row[0] = e.getKey();
                @SuppressWarnings("unchecked")
                Map<String, Integer> pc =
                        (Map<String, Integer>) ((Map<String, Object>) perSplit.get(e.getKey())).get("per_class");
                for (int c = 0; c < classes.size(); c++) {
                    row[c + 1] = Table.count(pc.getOrDefault(classes.get(c), 0));
                }
                row[row.length - 1] = Table.count(e.getValue().size());
                t.row(row);
            }
            t.print(out);
            out.println("sizes: " + sizes + "   channels: " + channels);
            within.forEach((split, v) -> out.println("duplicates within " + split + ": " + v));
            splits.forEach((split, d) -> {
                if (d.skipped() > 0) {
                    out.println(split + ": skipped " + d.skipped() + " unreadable item" + (d.skipped() == 1 ? "" : "s")
                            + " (on_error: skip); " + d.describe());
                }
            });
            out.println("duplicate groups across splits: " + crossGroups);
            return 0;
        }

        private List<Item> scan(String split, Dataset d) throws Exception {
            int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, n));
            try {
                List<Future<Item>> futures = new ArrayList<>(d.size());
                for (int i = 0; i < d.size(); i++) {
                    int index = i;
                    futures.add(pool.submit(() -> item(d.get(index).image())));
                }
                List<Item> items = new ArrayList<>(d.size());
                long last = System.nanoTime();
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        items.add(futures.get(i).get());
                    } catch (ExecutionException e) {
                        throw new IOException(e.getCause().getMessage(), e.getCause());
                    }
                    if (System.nanoTime() - last > 2_000_000_000L) {
                        System.err.printf(Locale.ROOT, "%s: %d/%d images%n", split, i + 1, futures.size());
                        last = System.nanoTime();
                    }
                }
                return items;
            } finally {
                pool.shutdownNow();
            }
        }

        private static Item item(BufferedImage img) throws NoSuchAlgorithmException {
            int w = img.getWidth();
            int h = img.getHeight();
            int[] px = img.getRGB(0, 0, w, h, null, 0, w);
            boolean gray = true;
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] row = new byte[4 * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = px[y * w + x];
                    gray &= (p >> 16 & 0xff) == (p & 0xff) && (p >> 8 & 0xff) == (p & 0xff);
                    row[4 * x] = (byte) (p >> 24);
                    row[4 * x + 1] = (byte) (p >> 16);
                    row[4 * x + 2] = (byte) (p >> 8);
                    row[4 * x + 3] = (byte) p;
                }
                md.update(row);
            }
            md.update((w + "x" + h).getBytes(StandardCharsets.UTF_8));
            return new Item(w + "x" + h, gray ? "gray" : "rgb", HexFormat.of().formatHex(md.digest(), 0, 16));
        }
    }
}
