package org.attnfer.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.attnfer.data.internal.Fer2013CsvProvider;
import org.attnfer.data.internal.ImageFolderProvider;
import org.attnfer.data.synthetic.internal.SyntheticFacesProvider;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.testkit.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalogue of bad inputs, each run as a user would type it: the exit code, one line that names
 * the offending file, row or key, no stack trace, and nothing half-written left behind.
 */
class BadInputCatalogueTest {

    @TempDir
    static Path shared;

    private static Injector injector;
    private static Path weights;
    private static Path input;
    private static Path run;
    private static final Map<String, Integer> PER_CATEGORY = new TreeMap<>();
    private static final Map<Integer, Integer> PER_EXIT = new TreeMap<>();

    /** What a case gives the command line, after writing its fixtures into its own folder. */
    @FunctionalInterface
    interface Fixture {
        String[] args(Path dir) throws Exception;
    }

    /**
     * One bad input.
     *
     * @param exit the expected exit code
     * @param expect what the error line must contain (for exit 0: the output)
     * @param absent files (relative to the case's folder) that must not exist afterwards
     */
    record Case(String category, String name, int exit, List<String> expect, List<String> absent, Fixture fixture) {}

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String category, String name, int exit, Fixture f, String... expect) {
        CASES.add(new Case(category, name, exit, List.of(expect), List.of(), f));
    }

    private static void addNoFile(String category, String name, String absent, Fixture f, String... expect) {
        CASES.add(new Case(category, name, 1, List.of(expect), List.of(absent), f));
    }

    @BeforeAll
    static void setUp() throws Exception {
        injector = CliTest.injector(
                () -> List.of(new ImageFolderProvider(), new Fer2013CsvProvider(), new SyntheticFacesProvider()));
        weights = shared.resolve("w.safetensors");
        Result saved = fer("inspect", "resnet18", "--width", "0.125", "--save-weights", weights.toString());
        assertThat(saved.code()).as(saved.err()).isZero();
        input = shared.resolve("x.npy");
        TensorFiles.writeNpy(input, new Tensor(new long[] {1, 3, 16, 16}, new float[3 * 16 * 16]));
        Path study = Files.writeString(shared.resolve("tiny.yaml"), """
                name: tiny
                dataset: {type: synthetic-faces, count: 70, size: 16, identities: 10}
                validation: 0.2
                input: {size: 16, channels: 1}
                variants: [{name: plain, model: {backbone: resnet18, width: 0.125}}]
                seeds: [0]
                training: {epochs: 1, batch_size: 16}
                """);
        Result trained =
                fer("run", study.toString(), "--output", shared.resolve("runs").toString());
        assertThat(trained.code()).as(trained.err()).isZero();
        run = shared.resolve("runs/plain/seed-0");
        catalogue();
    }

    record Result(int code, String out, String err) {}

    static Result fer(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(injector, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.category() + ": " + c.name(), () -> check(c)));
    }

    private static void check(Case c) throws Exception {
        Path dir = Files.createDirectories(shared.resolve("case-" + CASES.indexOf(c)));
        String[] args = c.fixture().args(dir);
        List<Path> before;
        try (Stream<Path> files = Files.walk(dir)) {
            before = files.toList();
        }
        Result r = fer(args);
        String context = "fer " + String.join(" ", args) + "\nout: " + r.out() + "\nerr: " + r.err();
        assertThat(r.code()).as(context).isEqualTo(c.exit());
        assertThat(r.err()).as(context).doesNotContain("\tat ", "Exception in thread", "[Fatal Error]");
        if (c.exit() == 0) {
            assertThat(r.out() + r.err()).as(context).contains(c.expect());
        } else {
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(context).isNotEmpty();
            // a usage error is its line and a pointer to --help; any other error is the last line
            String last = c.exit() == 2 ? lines.get(0) : lines.get(lines.size() - 1);
            assertThat(last).as(context).contains(c.expect()).hasSizeLessThan(Failures.LONGEST + 60);
        }
        for (String absent : c.absent()) {
            assertThat(dir.resolve(absent)).as(context).doesNotExist();
        }
        try (Stream<Path> left = Files.walk(dir)) {
            assertThat(left.filter(p -> !before.contains(p))
                            .map(p -> p.getFileName().toString()))
                    .as("half-written files: " + context)
                    .noneMatch(n -> n.endsWith(".partial") || n.endsWith(".tmp") || n.startsWith(".tmp"));
        }
        synchronized (PER_CATEGORY) {
            PER_CATEGORY.merge(c.category(), 1, Integer::sum);
            PER_EXIT.merge(c.exit(), 1, Integer::sum);
        }
    }

    @org.junit.jupiter.api.Test
    void aRunEvaluatesFromAnotherWeightsFileInItsFolderAsFromItsOwn() throws IOException {
        Path converted = run.resolve("converted.npz");
        assertThat(fer("weights", "convert", s(run.resolve("best.safetensors")), "--out", s(converted))
                        .code())
                .isZero();
        String[] data = {"synthetic-faces", "-o", "count=70", "-o", "size=16", "-o", "identities=10", "--json"};
        Result own = fer(concat(new String[] {"evaluate", s(run)}, data));
        Result other = fer(concat(new String[] {"evaluate", s(converted)}, data));
        assertThat(own.code()).as(own.err()).isZero();
        assertThat(other.code()).as(other.err()).isZero();
        // the same figures; only the "run" it names differs
        assertThat(other.out().replace(s(converted), s(run)))
                .isEqualTo(own.out())
                .contains("accuracy");
        Result missing = fer(concat(new String[] {"evaluate", s(run.resolve("none.pth"))}, data));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("none.pth");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @AfterAll
    static void summary() {
        System.out.println("bad-input catalogue: " + CASES.size() + " cases; per category " + PER_CATEGORY
                + "; per exit code " + PER_EXIT);
    }

    // ---------------------------------------------------------------- fixtures

    private static String s(Path p) {
        return p.toString();
    }

    private static byte[] npyBytes(String dict, byte[] data) {
        String header = dict + " ".repeat(Math.max(0, 54 - dict.length())) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static Path npy(Path dir, String dict, int dataBytes) throws IOException {
        return Files.write(dir.resolve("x.npy"), npyBytes(dict, new byte[dataBytes]));
    }

    private static Path safetensors(Path dir, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return Files.write(dir.resolve("w.safetensors"), b.array());
    }

    private static Path withHeaderLength(Path file, long length) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return Files.write(file, bytes);
    }

    private static Path npz(Path dir, Map<String, byte[]> entries) throws IOException {
        Path f = dir.resolve("w.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return f;
    }

    private static String[] forward(Path dir, Path in) {
        return new String[] {
            "forward", "resnet18", "--width", "0.125", "--input", s(in), "--output", s(dir.resolve("y.npy"))
        };
    }

    private static String[] forwardWeights(Path dir, Path w) {
        return new String[] {
            "forward",
            "resnet18",
            "--width",
            "0.125",
            "--weights",
            s(w),
            "--input",
            s(input),
            "--output",
            s(dir.resolve("y.npy"))
        };
    }

    private static Path yaml(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("exp.yaml"), text);
    }

    private static final String GOOD = """
            name: bad
            dataset: {type: synthetic-faces, count: 70, size: 16, identities: 10}
            validation: 0.2
            input: {size: 16, channels: 1}
            variants:
              - {name: plain, model: resnet18}
              - {name: ca, model: resnet18+ca}
            seeds: [0]
            training: {epochs: 1, batch_size: 16, lr: 0.01}
            """;

    private static String[] dry(Path file, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", s(file), "--dry-run"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static Fixture experiment(String from, String to, String... extra) {
        return d -> {
            assertThat(GOOD).contains(from);
            return dry(yaml(d, GOOD.replace(from, to)), extra);
        };
    }

    private static Path images(Path dir, String... classes) throws IOException {
        return Fixtures.imageFolder(dir.resolve("faces"), List.of(classes), 2, 16, 1);
    }

    private static byte[] jpeg(Path png) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(png.toFile()), "jpeg", out);
        return out.toByteArray();
    }

    private static Path csv(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("fer.csv"), text);
    }

    private static String pixels(int n) {
        return String.join(" ", Collections.nCopies(n, "7"));
    }

    private static Path predictions(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Path copyRun(Path dir) throws IOException {
        Path to = dir.resolve("run");
        try (Stream<Path> files = Files.walk(run)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(run.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
        return to;
    }

    // ---------------------------------------------------------------- the catalogue

    private static void catalogue() {
        tensors();
        weightFiles();
        models();
        experiments();
        datasets();
        csvFiles();
        runFolders();
        photos();
        concurrency();
        plugins();
    }

    private static void plugins() {
        String t = "plug-ins";
        add(
                t,
                "install a missing jar",
                1,
                d -> new String[] {"plugins", "install", s(d.resolve("none.jar"))},
                "none.jar");
        add(
                t,
                "install a text file",
                1,
                d -> new String[] {"plugins", "install", s(Files.writeString(d.resolve("p.jar"), "text"))},
                "p.jar",
                "not a jar");
        add(
                t,
                "install a jar that is no bundle",
                1,
                d -> {
                    Path jar = d.resolve("p.jar");
                    Manifest m = new Manifest();
                    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
                    new JarOutputStream(Files.newOutputStream(jar), m).close();
                    return new String[] {"plugins", "install", s(jar)};
                },
                "p.jar",
                "Bundle-SymbolicName");
        add(t, "install without a jar", 2, d -> new String[] {"plugins", "install"}, "JAR");
    }

    private static void tensors() {
        String t = "tensors";
        add(t, "npy with a bad magic", 1, d -> forward(d, Files.writeString(d.resolve("x.npy"), "hello")), "x.npy");
        add(
                t,
                "npy header cut short",
                1,
                d -> forward(d, Files.write(d.resolve("x.npy"), Arrays.copyOf(npyBytes("{}", new byte[0]), 20))),
                "x.npy",
                "ends early");
        add(
                t,
                "npy negative dimension",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -3, 16, 16), }", 0)),
                "x.npy",
                "negative dimension");
        add(
                t,
                "npy shape product overflows",
                1,
                d -> forward(
                        d, npy(d, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 8)),
                "x.npy",
                "too large");
        add(
                t,
                "128-byte npy declaring a billion floats",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': False, 'shape': (500000000,), }", 64)),
                "x.npy",
                "ends early");
        add(
                t,
                "npy big-endian dtype",
                1,
                d -> forward(d, npy(d, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4)),
                "x.npy",
                "unsupported .npy dtype >f4");
        add(
                t,
                "npy Fortran order",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4)),
                "x.npy",
                "Fortran");
        add(
                t,
                "npy with bytes after the array",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 9)),
                "x.npy",
                "goes on past");
        add(
                t,
                "npy shape that is not numbers",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': False, 'shape': (a, b), }", 0)),
                "x.npy",
                "not a number");
        add(
                t,
                "npy without a shape",
                1,
                d -> forward(d, npy(d, "{'descr': '<f4', 'fortran_order': False, }", 0)),
                "x.npy",
                "no 'shape'");
        add(
                t,
                "npy of version 9",
                1,
                d -> {
                    byte[] b = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
                    b[6] = 9;
                    return forward(d, Files.write(d.resolve("x.npy"), b));
                },
                "x.npy",
                "version 9");
        add(
                t,
                "input of rank 3",
                1,
                d -> {
                    Path x = d.resolve("x.npy");
                    TensorFiles.writeNpy(x, new Tensor(new long[] {3, 16, 16}, new float[3 * 256]));
                    return forward(d, x);
                },
                "x.npy",
                "[N, C, H, W]");
        add(
                t,
                "gray input for colour weights",
                1,
                d -> {
                    Path x = d.resolve("x.npy");
                    TensorFiles.writeNpy(x, new Tensor(new long[] {1, 1, 16, 16}, new float[256]));
                    String[] a = forwardWeights(d, weights);
                    a[Arrays.asList(a).indexOf("--input") + 1] = s(x);
                    return a;
                },
                "w.safetensors",
                "does not fit");
        add(t, "input file missing", 1, d -> forward(d, d.resolve("none.npy")), "none.npy");
        add(t, "input is a folder", 1, d -> forward(d, d), "case-");
        addNoFile(
                t,
                "output into a missing folder",
                "no/y.npy",
                d -> new String[] {
                    "forward", "resnet18", "--width", "0.125", "--input", s(input), "--output", s(d.resolve("no/y.npy"))
                },
                "no");
        add(
                t,
                "output to a full disk",
                1,
                d -> new String[] {
                    "forward", "resnet18", "--width", "0.125", "--input", s(input), "--output", "/dev/full"
                },
                "/dev/full",
                "No space left on device");
        add(
                t,
                "output of an unknown format",
                1,
                d -> new String[] {
                    "forward", "resnet18", "--width", "0.125", "--input", s(input), "--output", s(d.resolve("y.txt"))
                },
                "y.txt");
    }

    private static void weightFiles() {
        String t = "weights";
        add(t, "weights file missing", 1, d -> forwardWeights(d, d.resolve("none.safetensors")), "none.safetensors");
        add(
                t,
                "weights of an unknown format",
                1,
                d -> forwardWeights(d, Files.writeString(d.resolve("w.dat"), "x")),
                "w.dat",
                "unknown weights format");
        add(
                t,
                "safetensors header length past the real header",
                1,
                d -> {
                    Path w = Files.copy(weights, d.resolve("w.safetensors"));
                    long real = ByteBuffer.wrap(Files.readAllBytes(w), 0, 8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong();
                    return forwardWeights(d, withHeaderLength(w, real + 4096));
                },
                "w.safetensors");
        add(
                t,
                "safetensors header length beyond the file",
                1,
                d -> forwardWeights(d, withHeaderLength(Files.copy(weights, d.resolve("w.safetensors")), 1L << 40)),
                "w.safetensors",
                "header length");
        add(
                t,
                "safetensors header length zero",
                1,
                d -> forwardWeights(d, withHeaderLength(Files.copy(weights, d.resolve("w.safetensors")), 0)),
                "w.safetensors",
                "not a safetensors file");
        add(
                t,
                "safetensors header not JSON",
                1,
                d -> forwardWeights(d, safetensors(d, "{not json", 0)),
                "w.safetensors",
                "not one JSON object");
        add(
                t,
                "safetensors header a JSON list",
                1,
                d -> forwardWeights(d, safetensors(d, "[1, 2]", 0)),
                "w.safetensors",
                "not a JSON object");
        add(
                t,
                "safetensors unknown dtype",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(d, "{\"a\": {\"dtype\": \"C64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8)),
                "w.safetensors",
                "tensor a",
                "C64");
        add(
                t,
                "safetensors overlapping tensors",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(
                                d,
                                "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                                        + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                                12)),
                "w.safetensors",
                "inside the tensor before it");
        add(
                t,
                "safetensors gap between tensors",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(
                                d,
                                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                                        + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}",
                                12)),
                "w.safetensors",
                "gap");
        add(
                t,
                "safetensors range not the shape's size",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(d, "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8)),
                "w.safetensors",
                "needs 12");
        add(
                t,
                "safetensors negative dimension",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(d, "{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8)),
                "w.safetensors",
                "not a count");
        add(
                t,
                "safetensors cut short",
                1,
                d -> {
                    byte[] all = Files.readAllBytes(weights);
                    return forwardWeights(
                            d, Files.write(d.resolve("w.safetensors"), Arrays.copyOf(all, all.length - 100)));
                },
                "w.safetensors",
                "truncated");
        add(
                t,
                "safetensors tensor given twice",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(
                                d,
                                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                                        + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                                8)),
                "w.safetensors",
                "Duplicate");
        add(
                t,
                "safetensors offsets not numbers",
                1,
                d -> forwardWeights(
                        d,
                        safetensors(
                                d, "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [\"0\", 4]}}", 4)),
                "w.safetensors",
                "not a byte range");
        add(
                t,
                "npz that is no zip",
                1,
                d -> forwardWeights(d, Files.writeString(d.resolve("w.npz"), "plain text")),
                "w.npz");
        add(
                t,
                "npz with an entry that is no array",
                1,
                d -> forwardWeights(d, npz(d, Map.of("notes.txt", "hi".getBytes(StandardCharsets.UTF_8)))),
                "w.npz",
                "notes.txt");
        add(
                t,
                "npz with a damaged array",
                1,
                d -> forwardWeights(d, npz(d, Map.of("fc.weight.npy", "junk".getBytes(StandardCharsets.UTF_8)))),
                "w.npz",
                "fc.weight.npy");
        add(
                t,
                "npz with a checksum error",
                1,
                d -> {
                    byte[] array = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[16]);
                    Path f = npz(d, Map.of("fc.bias.npy", array));
                    byte[] zip = Files.readAllBytes(f);
                    // flip a byte of the (deflated) data in the middle of the entry
                    zip[60] ^= 0x5a;
                    return forwardWeights(d, Files.write(f, zip));
                },
                "w.npz");
        add(
                t,
                "npz cut short",
                1,
                d -> {
                    Path good = d.resolve("good.npz");
                    fer("inspect", "resnet18", "--width", "0.125", "--save-weights", s(good));
                    byte[] all = Files.readAllBytes(good);
                    return forwardWeights(d, Files.write(d.resolve("w.npz"), Arrays.copyOf(all, all.length / 2)));
                },
                "w.npz");
        add(
                t,
                "weights of another model, strictly",
                1,
                d -> new String[] {
                    "forward",
                    "resnet18",
                    "--width",
                    "0.25",
                    "--weights",
                    s(weights),
                    "--input",
                    s(input),
                    "--output",
                    s(d.resolve("y.npy"))
                },
                "w.safetensors",
                "does not fit the model");
        add(
                t,
                "weights with NaN values warn",
                0,
                d -> {
                    Map<String, Tensor> w = new LinkedHashMap<>(TensorFiles.read(weights));
                    Tensor fc = w.get("fc.bias");
                    float[] data = fc.data().clone();
                    data[0] = Float.NaN;
                    w.put("fc.bias", new Tensor(fc.shape(), data));
                    Path f = d.resolve("w.safetensors");
                    TensorFiles.write(f, w);
                    return forwardWeights(d, f);
                },
                "NaN or infinite values in 1 tensor (fc.bias)");
        add(
                t,
                "save weights into a missing folder",
                1,
                d -> new String[] {"inspect", "resnet18", "--width", "0.125", "--save-weights", s(d.resolve("no/w.npz"))
                },
                "no");
    }

    private static void models() {
        String t = "model names";
        String[][] bad = {
            {"resnet19", "resnet19"},
            {"resnet18+foo", "foo"},
            {"resnet18+ca(reduction=0)", "reduction"},
            {"resnet18+ca(reduction=)", "expected a value"},
            {"resnet18+ca(ratio=4)", "ratio"},
            {"resnet18+ca(reduction=NaN)", "reduction"},
            {"resnet18+simam(lambda=NaN)", "lambda"},
            {"resnet18+simam(lambda=Infinity)", "finite"},
            {"resnet18+ca[9]", "9"},
            {"resnet18+simam@nowhere", "nowhere"},
            {"+simam", "backbone"},
            {"resnet18++ca", "resnet18++ca"},
            {"resnet18+ca(reduction=4", "resnet18+ca(reduction=4"},
            {"RESNET18 CA", "RESNET18 CA"},
        };
        for (String[] b : bad) {
            add(t, "model '" + b[0] + "'", 1, d -> new String[] {"inspect", b[0]}, b[1]);
        }
        add(t, "empty model name", 1, d -> new String[] {"inspect", ""}, "model");
        add(t, "input with a zero side", 2, d -> new String[] {"inspect", "resnet18", "--input", "3x0x48"}, "--input");
        add(t, "input that is no shape", 2, d -> new String[] {"inspect", "resnet18", "--input", "axb"}, "--input");
        add(
                t,
                "input of four dimensions",
                2,
                d -> new String[] {"inspect", "resnet18", "--input", "3x48x48x2"},
                "--input");
        add(t, "unknown stem", 1, d -> new String[] {"inspect", "resnet18", "--stem", "tiny"}, "tiny");
        add(t, "negative depth", 2, d -> new String[] {"inspect", "resnet18", "--depth", "-1"}, "--depth");
        add(t, "zero classes", 2, d -> new String[] {"inspect", "resnet18", "--classes", "0"}, "--classes");
        add(t, "width NaN", 2, d -> new String[] {"inspect", "resnet18", "--width", "NaN"}, "width");
        add(t, "width zero", 2, d -> new String[] {"inspect", "resnet18", "--width", "0"}, "width");
        add(t, "unknown option", 2, d -> new String[] {"inspect", "resnet18", "--colour"}, "--colour");
        add(t, "unknown command", 2, d -> new String[] {"trian"}, "trian");
    }

    private static void experiments() {
        String t = "experiment files";
        add(t, "file missing", 1, d -> dry(d.resolve("none.yaml")), "none.yaml", "no such experiment file");
        add(t, "not YAML", 1, d -> dry(yaml(d, "name: [unclosed\n")), "exp.yaml:2", "not valid YAML");
        add(t, "a list, not a mapping", 1, d -> dry(yaml(d, "- a\n- b\n")), "exp.yaml:1", "mapping");
        add(t, "empty file", 1, d -> dry(yaml(d, "")), "exp.yaml");
        add(
                t,
                "not UTF-8",
                1,
                d -> dry(Files.write(d.resolve("exp.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1})),
                "exp.yaml");
        add(t, "tab indentation", 1, d -> dry(yaml(d, "name: x\ndataset:\n\ttype: y\n")), "exp.yaml:3");
        add(t, "unknown key", 1, experiment("validation: 0.2", "validaton: 0.2"), "exp.yaml:3", "validaton");
        add(
                t,
                "key given twice",
                1,
                experiment("seeds: [0]", "seeds: [0]\nvalidation: 0.1"),
                "exp.yaml:9",
                "lines 3 and 9");
        add(t, ".nan", 1, experiment("lr: 0.01", "lr: .nan"), "exp.yaml:9", "not a finite number");
        add(t, ".inf", 1, experiment("validation: 0.2", "validation: .inf"), "exp.yaml:3", "not a finite number");
        add(t, "--set NaN", 1, d -> dry(yaml(d, GOOD), "--set", "training.lr=NaN"), "training.lr=NaN", "finite");
        add(t, "--set infinity", 1, d -> dry(yaml(d, GOOD), "--set", "training.lr=1e999"), "lr", "finite");
        add(t, "--set without =", 1, d -> dry(yaml(d, GOOD), "--set", "training.lr"), "training.lr", "key=value");
        add(t, "--set unknown key", 1, d -> dry(yaml(d, GOOD), "--set", "training.lrate=1"), "lrate");
        add(t, "--set not YAML", 1, d -> dry(yaml(d, GOOD), "--set", "seeds=[0,"), "seeds=[0,", "not valid YAML");
        add(t, "epochs 0", 1, experiment("epochs: 1", "epochs: 0"), "exp.yaml:9", "epochs");
        add(
                t,
                "batch size beyond int",
                1,
                experiment("batch_size: 16", "batch_size: 10000000000000"),
                "exp.yaml:9",
                "batch_size");
        add(t, "lr as text", 1, experiment("lr: 0.01", "lr: fast"), "exp.yaml:9", "lr");
        add(
                t,
                "momentum NaN as text",
                1,
                experiment("lr: 0.01", "lr: 0.01, momentum: NaN"),
                "exp.yaml:9",
                "momentum",
                "finite");
        add(t, "negative seed", 1, experiment("seeds: [0]", "seeds: [-1]"), "exp.yaml:8", "seeds");
        add(t, "seeds not a list", 1, experiment("seeds: [0]", "seeds: many"), "exp.yaml:8", "seeds");
        add(
                t,
                "no variants",
                1,
                experiment(
                        "variants:\n  - {name: plain, model: resnet18}\n  - {name: ca, model: resnet18+ca}",
                        "variants: []"),
                "exp.yaml",
                "variants");
        add(
                t,
                "variant without a model",
                1,
                experiment("{name: ca, model: resnet18+ca}", "{name: ca}"),
                "exp.yaml:7",
                "model");
        add(
                t,
                "two variants of one name",
                1,
                experiment("{name: ca, model", "{name: plain, model"),
                "exp.yaml:7",
                "plain");
        add(
                t,
                "variant names that share a folder",
                1,
                experiment(
                        "{name: plain, model: resnet18}\n  - {name: ca,",
                        "{name: A<1, model: resnet18}\n  - {name: A>1,"),
                "A<1",
                "A>1");
        add(t, "unknown model in a variant", 1, experiment("resnet18+ca}", "resnet18+cbam}"), "exp.yaml:7", "cbam");
        add(
                t,
                "unknown dataset kind",
                1,
                experiment("type: synthetic-faces", "type: synthetic-face"),
                "exp.yaml:2",
                "synthetic-face");
        add(
                t,
                "dataset folder missing",
                1,
                experiment(
                        "{type: synthetic-faces, count: 70, size: 16, identities: 10}",
                        "{type: image-folder, path: nowhere}"),
                "nowhere");
        add(t, "validation 1.5", 1, experiment("validation: 0.2", "validation: 1.5"), "exp.yaml:3", "validation");
        add(t, "input size 0", 1, experiment("size: 16, channels", "size: 0, channels"), "exp.yaml:4", "size");
        add(t, "input with 2 channels", 1, experiment("channels: 1", "channels: 2"), "exp.yaml:4", "channels");
        add(
                t,
                "table naming an unknown variant",
                1,
                experiment("seeds: [0]", "seeds: [0]\ntables: [{name: T, baseline: plain, variants: [plain, cbam]}]"),
                "exp.yaml:9",
                "cbam");
        add(
                t,
                "table with an unknown baseline",
                1,
                experiment("seeds: [0]", "seeds: [0]\ntables: [{name: T, baseline: cbam, variants: [plain]}]"),
                "exp.yaml:9",
                "cbam");
        add(
                t,
                "sweep of a data key",
                1,
                experiment("seeds: [0]", "seeds: [0]\nsweep: {dataset.count: [70, 140]}"),
                "exp.yaml:9",
                "sweep");
        add(t, "YAML tag", 1, experiment("name: bad", "name: !secret bad"), "exp.yaml:1", "!secret");
        add(
                t,
                "global YAML tag",
                1,
                experiment("name: bad", "name: !!python/object/apply:os.system [ls]"),
                "exp.yaml:1",
                "tag");
        add(t, "alias of nothing", 1, experiment("seeds: [0]", "seeds: *none"), "exp.yaml:8", "none");
        add(
                t,
                "cell out of range",
                1,
                d -> new String[] {"run", s(yaml(d, GOOD)), "--cell", "7", "--dry-run"},
                "7",
                "cells 0 to 1");
        add(t, "shard beyond its count", 2, d -> dry(yaml(d, GOOD), "--shard", "3/2"), "--shard");
        add(t, "shard that is no fraction", 2, d -> dry(yaml(d, GOOD), "--shard", "half"), "--shard");
        add(t, "parallel 0", 2, d -> dry(yaml(d, GOOD), "--parallel", "0"), "--parallel");
        add(
                t,
                "output is a file",
                1,
                d -> {
                    Files.writeString(d.resolve("out"), "x");
                    return new String[] {"run", s(yaml(d, GOOD)), "--output", s(d.resolve("out/runs")), "--cell", "0"};
                },
                "out");
    }

    private static void datasets() {
        String t = "datasets";
        add(t, "no kind or folder", 1, d -> new String[] {"data", "stats", "nowhere-at-all"}, "nowhere-at-all");
        add(
                t,
                "folder without class folders",
                1,
                d -> new String[] {"data", "stats", s(Files.createDirectories(d.resolve("faces")))},
                "faces",
                "no class sub-folders");
        add(
                t,
                "a folder that is no emotion",
                1,
                d -> new String[] {"data", "stats", s(images(d, "happy", "sad", "foo"))},
                "foo",
                "extra_classes=allow");
        add(
                t,
                "only folders that are no emotions",
                1,
                d -> new String[] {"data", "stats", s(images(d, "apple", "zebra"))},
                "apple, zebra");
        add(
                t,
                "extra classes allowed",
                0,
                d -> new String[] {"data", "stats", s(images(d, "happy", "foo")), "-o", "extra_classes=allow"},
                "FOO");
        add(
                t,
                "mapping to no emotion",
                1,
                d -> new String[] {"data", "stats", s(images(d, "happy", "foo")), "-o", "classes=foo=glee"},
                "foo=glee");
        add(
                t,
                "mapping of a missing folder",
                1,
                d -> new String[] {"data", "stats", s(images(d, "happy", "sad")), "-o", "classes=bar=sad"},
                "bar");
        add(
                t,
                "class folder without images",
                1,
                d -> {
                    Path f = images(d, "happy");
                    Files.createDirectories(f.resolve("sad"));
                    return new String[] {"data", "stats", s(f)};
                },
                "sad",
                "has no images");
        add(
                t,
                "corrupt image",
                1,
                d -> {
                    Path f = images(d, "happy", "sad");
                    Files.writeString(f.resolve("sad/bad.png"), "not a png");
                    return new String[] {"data", "stats", s(f)};
                },
                "bad.png",
                "on_error: skip");
        add(
                t,
                "truncated JPEG",
                1,
                d -> {
                    Path f = images(d, "happy", "sad");
                    byte[] j = jpeg(f.resolve("happy/happy_000.png"));
                    Files.write(f.resolve("happy/cut.jpg"), Arrays.copyOf(j, j.length * 2 / 3));
                    return new String[] {"data", "stats", s(f)};
                },
                "cut.jpg",
                "JPEG");
        add(
                t,
                "truncated JPEG skipped and counted",
                0,
                d -> {
                    Path f = images(d, "happy", "sad");
                    byte[] j = jpeg(f.resolve("happy/happy_000.png"));
                    Files.write(f.resolve("happy/cut.jpg"), Arrays.copyOf(j, j.length * 2 / 3));
                    return new String[] {"data", "stats", s(f), "-o", "on_error=skip"};
                },
                "skipped 1 unreadable item");
        add(
                t,
                "image that is a folder of the wrong kind",
                1,
                d -> {
                    Path f = images(d, "happy", "sad");
                    Files.write(f.resolve("sad/x.gif"), new byte[] {'G', 'I', 'F', '8', '9', 'a'});
                    return new String[] {"data", "stats", s(f)};
                },
                "x.gif");
        add(
                t,
                "unknown option",
                1,
                d -> new String[] {"data", "stats", "synthetic-faces", "-o", "colour=true"},
                "colour");
        add(
                t,
                "option of the wrong type",
                1,
                d -> new String[] {"data", "stats", "synthetic-faces", "-o", "count=many"},
                "count");
        add(
                t,
                "count below the classes",
                1,
                d -> new String[] {"data", "stats", "synthetic-faces", "-o", "count=3"},
                "count");
        add(
                t,
                "option NaN",
                1,
                d -> new String[] {"data", "stats", "synthetic-faces", "-o", "jitter=NaN"},
                "jitter",
                "finite");
        add(t, "option without =", 1, d -> new String[] {"data", "stats", "synthetic-faces", "-o", "count"}, "count");
        addNoFile(
                t,
                "preview into a missing folder",
                "no/grid.png",
                d -> new String[] {
                    "data", "preview", "synthetic-faces", "-o", "count=70", "--out", s(d.resolve("no/grid.png"))
                },
                "no");
    }

    private static void csvFiles() {
        String t = "CSV";
        String header = "emotion,pixels,Usage\n";
        add(
                t,
                "no header",
                1,
                d -> new String[] {"data", "stats", s(csv(d, "3," + pixels(2304) + ",Training\n"))},
                "fer.csv:1",
                "characters");
        add(
                t,
                "columns missing",
                1,
                d -> new String[] {"data", "stats", s(csv(d, "label,image\n1,2\n"))},
                "fer.csv:1",
                "emotion and pixels");
        add(
                t,
                "emotion out of range",
                1,
                d -> new String[] {"data", "stats", s(csv(d, header + "9," + pixels(2304) + ",Training\n"))},
                "fer.csv:2",
                "emotion");
        add(
                t,
                "emotion a long text",
                1,
                d -> new String[] {
                    "data", "stats", s(csv(d, header + "x".repeat(5000) + "," + pixels(2304) + ",Training\n"))
                },
                "fer.csv:2",
                "emotion");
        add(
                t,
                "too few pixels",
                1,
                d -> new String[] {"data", "stats", s(csv(d, header + "3," + pixels(2000) + ",Training\n"))},
                "fer.csv:2",
                "pixels");
        add(
                t,
                "pixel out of range",
                1,
                d -> new String[] {"data", "stats", s(csv(d, header + "3," + pixels(2303) + " 300,Training\n"))},
                "fer.csv:2",
                "pixels");
        add(
                t,
                "wrong column count",
                1,
                d -> new String[] {"data", "stats", s(csv(d, header + "3," + pixels(2304) + "\n"))},
                "fer.csv:2",
                "columns");
        add(t, "empty file", 1, d -> new String[] {"data", "stats", s(csv(d, ""))}, "fer.csv", "empty");
        add(t, "header only", 1, d -> new String[] {"data", "stats", s(csv(d, header))}, "fer.csv", "no usable rows");
        add(
                t,
                "binary file",
                1,
                d -> new String[] {
                    "data",
                    "stats",
                    s(Files.write(d.resolve("fer.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80, 10, 1}))
                },
                "fer.csv");
        add(
                t,
                "every row bad, skipped",
                1,
                d -> new String[] {"data", "stats", s(csv(d, header + "9,1 2,Training\n")), "-o", "on_error=skip"},
                "fer.csv",
                "no usable rows");
        add(
                t,
                "unknown usage",
                1,
                d -> new String[] {
                    "data",
                    "stats",
                    "fer2013-csv",
                    "-o",
                    "path=" + csv(d, header + "3," + pixels(2304) + ",Training\n"),
                    "-o",
                    "usage=Testing"
                },
                "Testing");
    }

    private static void runFolders() {
        String t = "run folders";
        add(
                t,
                "evaluate a missing run",
                1,
                d -> new String[] {"evaluate", s(d.resolve("nope")), "synthetic-faces"},
                "nope");
        add(t, "evaluate a folder that is no run", 1, d -> new String[] {"evaluate", s(d), "synthetic-faces"}, "case-");
        add(
                t,
                "evaluate with a broken spec",
                1,
                d -> {
                    Path r = copyRun(d);
                    Files.writeString(r.resolve("spec.resolved.yaml"), "input: [\n");
                    return new String[] {"evaluate", s(r), "synthetic-faces", "-o", "count=70", "-o", "size=16"};
                },
                "spec.resolved.yaml");
        add(
                t,
                "evaluate without weights",
                1,
                d -> {
                    Path r = copyRun(d);
                    try (Stream<Path> files = Files.list(r)) {
                        for (Path f : files.filter(
                                        f -> f.getFileName().toString().contains("safetensors"))
                                .toList()) {
                            Files.delete(f);
                        }
                    }
                    return new String[] {"evaluate", s(r), "synthetic-faces", "-o", "count=70", "-o", "size=16"};
                },
                "run");
        add(
                t,
                "evaluate on other classes",
                1,
                d -> new String[] {"evaluate", s(run), s(images(d, "happy", "foo")), "-o", "extra_classes=allow"},
                "foo");
        add(
                t,
                "evaluate with batch 0",
                2,
                d -> new String[] {"evaluate", s(run), "synthetic-faces", "--batch", "0"},
                "--batch");
        add(
                t,
                "compare a missing file",
                1,
                d -> new String[] {"compare", s(d.resolve("a.csv")), s(d.resolve("b.csv"))},
                "a.csv");
        add(
                t,
                "compare a malformed CSV",
                1,
                d -> new String[] {
                    "compare",
                    s(predictions(d, "a.csv", "what,ever\n1\n")),
                    s(predictions(d, "b.csv", "what,ever\n1\n"))
                },
                "a.csv");
        add(
                t,
                "compare different images",
                1,
                d -> {
                    Path a = run.resolve("predictions.csv");
                    List<String> lines = new ArrayList<>(Files.readAllLines(a));
                    lines.remove(lines.size() - 1);
                    return new String[] {"compare", s(a), s(Files.write(d.resolve("b.csv"), lines))};
                },
                "b.csv");
        add(t, "report of a missing folder", 1, d -> new String[] {"report", s(d.resolve("runs"))}, "runs");
        add(
                t,
                "report of a folder without runs",
                1,
                d -> new String[] {"report", s(Files.createDirectories(d.resolve("runs")))},
                "runs");
        add(
                t,
                "report with a broken metrics.json",
                1,
                d -> {
                    Path runs = d.resolve("runs");
                    Path r = Files.createDirectories(runs.resolve("plain"));
                    Path copied = copyRun(r);
                    Files.move(copied, r.resolve("seed-0"));
                    Files.writeString(r.resolve("seed-0/metrics.json"), "{broken");
                    return new String[] {"report", s(runs), "--out", s(d.resolve("report"))};
                },
                "metrics.json");
        add(t, "status of a missing folder", 1, d -> new String[] {"status", s(d.resolve("runs"))}, "runs");
        add(
                t,
                "run into a folder of another variant",
                1,
                d -> {
                    Path out = d.resolve("out");
                    Path r = Files.createDirectories(out.resolve("plain"));
                    Files.move(copyRun(r), r.resolve("seed-0"));
                    Path file = yaml(
                            d, GOOD.replace("{name: plain, model: resnet18}", "{name: plain, model: resnet18+simam}"));
                    return new String[] {"run", s(file), "--output", s(out), "--cell", "0"};
                },
                "plain",
                "resnet18");
    }

    private static void photos() {
        String t = "photos";
        add(
                t,
                "heat maps into a file",
                1,
                d -> {
                    Path img = images(d, "happy").resolve("happy/happy_000.png");
                    return new String[] {"predict", s(run), s(img), "--whole", "--heatmaps", "/etc/passwd"};
                },
                "/etc/passwd",
                "in the way");
        add(
                t,
                "a text file as a photo",
                1,
                d -> new String[] {"predict", s(run), s(Files.writeString(d.resolve("face.png"), "text")), "--whole"},
                "face.png");
        add(
                t,
                "a truncated JPEG as a photo",
                1,
                d -> {
                    byte[] j = jpeg(images(d, "happy").resolve("happy/happy_000.png"));
                    return new String[] {
                        "predict",
                        s(run),
                        s(Files.write(d.resolve("face.jpg"), Arrays.copyOf(j, j.length / 2))),
                        "--whole"
                    };
                },
                "face.jpg",
                "JPEG");
        add(
                t,
                "a missing photo",
                1,
                d -> new String[] {"predict", s(run), s(d.resolve("none.jpg")), "--whole"},
                "none.jpg");
        add(
                t,
                "a missing cascade",
                1,
                d -> new String[] {"predict", s(run), s(images(d, "happy")), "--cascade", s(d.resolve("none.xml"))},
                "none.xml");
        add(
                t,
                "a cascade that is no XML",
                1,
                d -> new String[] {
                    "predict",
                    s(run),
                    s(images(d, "happy")),
                    "--cascade",
                    s(Files.writeString(d.resolve("c.xml"), "not xml"))
                },
                "c.xml");
        add(
                t,
                "a cascade of another kind",
                1,
                d -> new String[] {
                    "predict",
                    s(run),
                    s(images(d, "happy")),
                    "--cascade",
                    s(Files.writeString(
                            d.resolve("c.xml"),
                            "<opencv_storage><cascade><featureType>LBP</featureType></cascade></opencv_storage>"))
                },
                "c.xml");
        add(
                t,
                "an unknown format",
                1,
                d -> new String[] {"predict", s(run), s(images(d, "happy")), "--whole", "--format", "xml"},
                "--format");
    }

    private static void concurrency() {
        String t = "concurrent and interrupted runs";
        CASES.add(new Case(t, "a cell held by a live process", 75, List.of("held by"), List.of(), d -> {
            Path out = Files.createDirectories(d.resolve("out/plain"));
            String host = System.getenv("HOSTNAME") != null
                    ? System.getenv("HOSTNAME")
                    : InetAddress.getLocalHost().getHostName();
            // process 1 is alive for as long as the machine is
            Files.writeString(out.resolve(".seed-0.lock"), "host=" + host + "\npid=1\n");
            return new String[] {"run", s(yaml(d, GOOD)), "--output", s(d.resolve("out")), "--cell", "0"};
        }));
        add(
                t,
                "a damaged checkpoint of an interrupted run",
                1,
                d -> {
                    Path partial = Files.createDirectories(d.resolve("out/plain/.seed-0.partial"));
                    Files.writeString(partial.resolve("last.ckpt.safetensors"), "damaged");
                    return new String[] {"run", s(yaml(d, GOOD)), "--output", s(d.resolve("out")), "--cell", "0"};
                },
                "last.ckpt.safetensors");
    }
}
