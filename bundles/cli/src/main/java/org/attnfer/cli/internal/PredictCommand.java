package org.attnfer.cli.internal;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import jakarta.inject.Inject;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.attnfer.composer.Composer;
import org.attnfer.data.Images;
import org.attnfer.data.Pixels;
import org.attnfer.eval.GradCam;
import org.attnfer.experiment.TrainedRun;
import org.attnfer.face.FaceCrops;
import org.attnfer.face.HaarCascade;
import org.attnfer.nn.Precision;
import org.attnfer.report.Overlays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer predict}: the emotions of the faces in photos. */
@Command(
        name = "predict",
        description = {
            "Find the faces in photos, crop them as the model was trained, and give each face's emotion with",
            "its probabilities; optionally a Grad-CAM heat map per face. Faces are found with OpenCV's Haar",
            "cascade (Debian: opencv-data), evaluated in Java; --whole skips detection for face crops."
        })
final class PredictCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "RUN",
            description = "A run folder (runs/NAME/VARIANT/seed-N), or the model file in one.")
    Path run;

    @Parameters(index = "1..*", paramLabel = "IMAGE", description = "Photos, or folders of photos.")
    List<Path> inputs;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--heatmaps",
            paramLabel = "DIR",
            description = "Write a Grad-CAM overlay per face into this folder.")
    Path heatmaps;

    @Option(names = "--whole", description = "Use each image whole, as one face (for face crops such as FER2013's).")
    boolean whole;

    @Option(
            names = "--cascade",
            paramLabel = "FILE",
            description = "The Haar cascade (default: Debian's frontal-face cascade).")
    Path cascade = HaarCascade.DEBIAN_FRONTAL_FACE;

    @Option(
            names = "--min-face",
            converter = Bounds.AtLeastOne.class,
            defaultValue = "40",
            description = "The smallest face side in pixels (default: ${DEFAULT-VALUE}).")
    int minFace;

    @Option(
            names = "--precision",
            paramLabel = "float32|bfloat16",
            defaultValue = "float32",
            converter = PrecisionName.class,
            description = "What the convolutions multiply in, as fer evaluate --precision (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Spec
    CommandSpec spec;

    private final Composer composer;

    @Inject
    PredictCommand(Composer composer) {
        this.composer = composer;
    }

    /** One face's prediction. */
    private record Row(String file, Rectangle box, String emotion, float[] probabilities) {}

    @Override
    public Integer call() throws Exception {
        if (!Set.of("table", "csv", "json").contains(format)) {
            throw new IllegalArgumentException("--format must be table, csv or json, got " + format);
        }
        precision.warning("--precision").ifPresent(spec.commandLine().getErr()::println);
        TrainedRun trained = TrainedRun.read(run);
        HaarCascade detector = whole ? null : HaarCascade.read(cascade);
        List<Path> files = files(inputs);
        List<Row> rows = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        if (heatmaps != null) {
            Files.createDirectories(heatmaps);
        }
        try (Model model = trained.load(composer)) {
            GradCam cam =
                    heatmaps == null ? null : new GradCam(model.getBlock(), GradCam.defaultLayer(model.getBlock()));
            for (Path f : files) {
                BufferedImage img = Images.read(f);
                List<Rectangle> faces = whole
                        ? List.of(new Rectangle(0, 0, img.getWidth(), img.getHeight()))
                        : detector.detect(img, minFace, 3);
                if (faces.isEmpty()) {
                    notFound.add(f.toString());
                }
                for (int k = 0; k < faces.size(); k++) {
                    BufferedImage face = whole ? img : FaceCrops.crop(img, faces.get(k), 0.2);
                    float[] x = new float[trained.input().length()];
                    Pixels.write(face, trained.input(), x, 0);
                    float[] p = probabilities(model, x, trained, precision);
                    int best = 0;
                    for (int c = 1; c < p.length; c++) {
                        best = p[c] > p[best] ? c : best;
                    }
                    rows.add(new Row(
                            f.toString(), faces.get(k), trained.classes().get(best), p));
                    if (cam != null) {
                        writeHeatmap(
                                model,
                                cam,
                                x,
                                best,
                                trained,
                                heatmaps.resolve(f.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-face" + k
                                        + ".png"));
                    }
                }
            }
        }
        print(rows, trained.classes());
        notFound.forEach(f -> spec.commandLine()
                .getErr()
                .println("fer predict: no face found in " + f + " (try --min-face or --whole)"));
        return 0;
    }

    private static float[] probabilities(Model model, float[] x, TrainedRun t, Precision precision) {
        try (NDManager step = model.getNDManager().newSubManager()) {
            NDArray logits = model.getBlock()
                    .forward(
                            new ParameterStore(step, false),
                            new NDList(step.create(
                                    x,
                                    new Shape(
                                            1,
                                            t.input().channels(),
                                            t.input().size(),
                                            t.input().size()))),
                            false,
                            precision.params())
                    .singletonOrThrow();
            return logits.softmax(1).toFloatArray();
        }
    }

    private static void writeHeatmap(Model model, GradCam cam, float[] x, int cls, TrainedRun t, Path png)
            throws IOException {
        int s = t.input().size();
        GradCam.Maps maps;
        try (NDManager step = model.getNDManager().newSubManager()) {
            maps = cam.compute(step, step.create(x, new Shape(1, t.input().channels(), s, s)), new int[] {cls});
        }
        float[] unit = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            unit[i] = Pixels.unit(x[i]);
        }
        BufferedImage face = Overlays.image(unit, 0, t.input().channels(), s);
        BufferedImage big = new BufferedImage(4 * s, 4 * s, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(Overlays.overlay(face, maps.cam()[0]), 0, 0, 4 * s, 4 * s, null);
        Outputs.png(big, png);
    }

    private void print(List<Row> rows, List<String> classes) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            List<Map<String, Object>> doc = new ArrayList<>();
            for (Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", r.file());
                m.put("box", List.of(r.box().x, r.box().y, r.box().width, r.box().height));
                m.put("emotion", r.emotion());
                Map<String, Float> p = new LinkedHashMap<>();
                for (int c = 0; c < classes.size(); c++) {
                    p.put(classes.get(c), r.probabilities()[c]);
                }
                m.put("probabilities", p);
                doc.add(m);
            }
            Json.print(out, doc);
            return;
        }
        if (format.equals("csv")) {
            out.println("file,x,y,width,height,emotion,"
                    + String.join(",", classes.stream().map(c -> "p_" + c).toList()));
            for (Row r : rows) {
                StringBuilder sb = new StringBuilder(csv(r.file()))
                        .append(',')
                        .append(r.box().x)
                        .append(',')
                        .append(r.box().y)
                        .append(',')
                        .append(r.box().width)
                        .append(',')
                        .append(r.box().height)
                        .append(',')
                        .append(r.emotion());
                for (float p : r.probabilities()) {
                    sb.append(String.format(Locale.ROOT, ",%.4f", p));
                }
                out.println(sb);
            }
            return;
        }
        String[] header = new String[4 + classes.size()];
        header[0] = "FILE";
        header[1] = "FACE";
        header[2] = "EMOTION";
        header[3] = ">P";
        for (int c = 0; c < classes.size(); c++) {
            header[4 + c] = ">" + classes.get(c).toUpperCase(Locale.ROOT);
        }
        Table t = new Table(header);
        for (Row r : rows) {
            Object[] cells = new Object[header.length];
            cells[0] = r.file();
            cells[1] = r.box().x + "," + r.box().y + " " + r.box().width + "×" + r.box().height;
            cells[2] = r.emotion();
            cells[3] = String.format(Locale.ROOT, "%.2f", r.probabilities()[classes.indexOf(r.emotion())]);
            for (int c = 0; c < classes.size(); c++) {
                cells[4 + c] = String.format(Locale.ROOT, "%.2f", r.probabilities()[c]);
            }
            t.row(cells);
        }
        t.print(out);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static List<Path> files(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile)
                            .filter(Images::isImage)
                            .sorted()
                            .forEach(out::add);
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new IOException("no such image or folder: " + p);
            }
        }
        return out;
    }
}
