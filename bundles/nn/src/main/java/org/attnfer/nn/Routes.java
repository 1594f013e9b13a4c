package org.attnfer.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one policy that decides how convolutions compute in this process: per {@link ConvShape},
 * the fastest {@link ConvRoute} among its candidates that computes right on this machine.
 *
 * <p>The first time a shape is met on a machine, every candidate is checked against a float64
 * reference (output, and for training the input and weight gradients) and timed on the shape
 * itself; a candidate that computes wrongly, or NaN, is never chosen, whatever its speed. The
 * decision is written to a cache file keyed by the machine (processor, its flags, cores, compute
 * threads, library versions; {@link ComputeSettings#machineKey}), as cuDNN's benchmark mode does
 * on GPUs, and every later process on the machine reads it, so decisions, and with them the
 * last digits of results, stay the same from run to run. A process that dies while it times a
 * candidate leaves a marker, and the next process records that candidate as faulty for the shape.
 *
 * <p>Settings (system properties, which {@code bin/fer} sets from the environment): {@code
 * attnfer.conv} ({@code FER_CONV}) forces the training route, {@code onednn} or {@code gemm};
 * {@code attnfer.routes=fixed} ({@code FER_ROUTES}) takes each shape's first candidate without
 * measuring; {@code attnfer.routes.cache} ({@code FER_ROUTES_CACHE}) is the cache folder.
 */
public final class Routes {

    /** How a decision was made. */
    public enum Reason {
        /** Measured in this process. */
        MEASURED,
        /** Measured earlier on this machine, read from the cache. */
        CACHED,
        /** Forced by a setting. */
        FORCED,
        /** The first candidate, without measuring ({@code attnfer.routes=fixed}). */
        FIXED
    }

    /**
     * One shape's decision.
     *
     * @param shape the call
     * @param route the route taken
     * @param reason how it was chosen
     * @param millis each measured candidate's time, its fastest call (forward and backward in training)
     * @param faults the candidates that computed wrongly, with what was wrong
     */
    public record Decision(
            ConvShape shape,
            ConvRoute route,
            Reason reason,
            Map<ConvRoute, Double> millis,
            Map<ConvRoute, String> faults) {}

    /** The training route forced by {@code attnfer.conv}: {@code auto} (measure), {@code onednn} or {@code gemm}. */
    enum Forced {
        AUTO,
        ONEDNN,
        GEMM
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Routes POLICY = fromSystemProperties();

    private final Forced forced;
    private final boolean measure;
    private final Path cacheFile;
    private final RouteTiming timing;
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();
    // the same decisions in the order the shapes were first met, for reports
    private final List<Decision> order = new ArrayList<>();
    private final Map<String, Decision> cached = new ConcurrentHashMap<>();
    private boolean announced;
    private volatile ConvRoute override;

    Routes(Forced forced, boolean measure, Path cacheFile, RouteTiming timing) {
        this.forced = forced;
        this.measure = measure;
        this.cacheFile = cacheFile;
        this.timing = timing;
        if (cacheFile != null) {
            recordCrashes();
            cached.putAll(read(cacheFile));
        }
    }

    private static Routes fromSystemProperties() {
        String conv = System.getProperty("attnfer.conv", "auto").toUpperCase(Locale.ROOT);
        Forced forced;
        try {
            forced = Forced.valueOf(conv);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "FER_CONV must be auto, onednn or gemm, not '" + conv.toLowerCase(Locale.ROOT) + "'");
        }
        String mode = System.getProperty("attnfer.routes", "measure");
        if (!mode.equals("measure") && !mode.equals("fixed")) {
            throw new IllegalArgumentException("FER_ROUTES must be measure or fixed, not '" + mode + "'");
        }
        Path dir = Path.of(
                System.getProperty("attnfer.routes.cache", System.getProperty("user.home") + "/.cache/attnfer/routes"));
        return new Routes(
                forced,
                mode.equals("measure"),
                dir.resolve("routes-" + ComputeSettings.machineKey() + ".json"),
                new RouteTiming());
    }

    /** The policy of this process. */
    public static Routes policy() {
        return POLICY;
    }

    /** The route for this call: decided once per shape, measured where no decision exists yet. */
    public ConvRoute route(ConvShape shape) {
        ConvRoute forcedHere = override;
        if (forcedHere != null && shape.training()) {
            return shape.candidates().contains(forcedHere) ? forcedHere : ConvRoute.ONEDNN;
        }
        Decision d = decisions.get(shape.key());
        if (d == null) {
            d = decide(shape);
        }
        return d.route();
    }

    private synchronized Decision decide(ConvShape shape) {
        String key = shape.key();
        Decision d = decisions.get(key);
        if (d != null) {
            return d;
        }
        List<ConvRoute> candidates = shape.candidates();
        Optional<ConvRoute> force = forcedRoute(shape, candidates);
        if (force.isPresent()) {
            d = new Decision(shape, force.get(), Reason.FORCED, Map.of(), Map.of());
        } else if (cached.containsKey(key)
                && candidates.contains(cached.get(key).route())) {
            Decision c = cached.get(key);
            d = new Decision(shape, c.route(), Reason.CACHED, c.millis(), c.faults());
        } else if (!measure) {
            d = new Decision(shape, candidates.get(0), Reason.FIXED, Map.of(), Map.of());
        } else {
            // faults recorded before (a route whose timing ended its process) stay
            Decision before = cached.get(key);
            d = measured(shape, candidates, before == null ? Map.of() : before.faults());
        }
        decisions.put(key, d);
        order.add(d);
        return d;
    }

    private Optional<ConvRoute> forcedRoute(ConvShape shape, List<ConvRoute> candidates) {
        if (!shape.training() || forced == Forced.AUTO) {
            return Optional.empty();
        }
        ConvRoute r = switch (forced) {
            case GEMM -> shape.bfloat16() ? ConvRoute.GEMM_BF16 : ConvRoute.GEMM;
            default -> shape.bfloat16() ? ConvRoute.ONEDNN_BF16 : ConvRoute.ONEDNN;
        };
        return Optional.of(candidates.contains(r) ? r : ConvRoute.ONEDNN);
    }

    private Decision measured(ConvShape shape, List<ConvRoute> candidates, Map<ConvRoute, String> known) {
        if (!announced && cacheFile != null) {
            announced = true;
            System.err.println("routes: timing convolution routes for shapes not measured on this machine yet (once; "
                    + "kept in " + cacheFile + ")");
        }
        Map<ConvRoute, Double> millis = new LinkedHashMap<>();
        Map<ConvRoute, String> faults = new LinkedHashMap<>(known);
        ConvRoute best = null;
        for (ConvRoute r : candidates) {
            if (faults.containsKey(r)) {
                continue;
            }
            marker(shape, r);
            RouteTiming.Result result =
                    timing.measure(shape, r, best == null ? Double.POSITIVE_INFINITY : millis.get(best));
            if (result.fault() != null) {
                faults.put(r, result.fault());
            } else {
                millis.put(r, result.millis());
                if (best == null || result.millis() < millis.get(best)) {
                    best = r;
                }
            }
        }
        marker(shape, null);
        if (best == null) {
            throw new IllegalStateException(
                    "no convolution route computes " + shape + " right on this machine: " + faults);
        }
        Decision d = new Decision(shape, best, Reason.MEASURED, millis, faults);
        return cacheFile == null ? d : store(d);
    }

    /** Where the marker of the candidate being timed goes; a process that dies leaves it behind. */
    private Path markerFile() {
        return cacheFile.resolveSibling(
                cacheFile.getFileName() + ".probe-" + ProcessHandle.current().pid());
    }

    private void marker(ConvShape shape, ConvRoute route) {
        if (cacheFile == null) {
            return;
        }
        try {
            if (route == null) {
                Files.deleteIfExists(markerFile());
            } else {
                Files.createDirectories(cacheFile.getParent());
                Files.writeString(markerFile(), shape.key() + "\n" + route.id() + "\n" + encode(shape) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write in the route cache " + cacheFile.getParent(), e);
        }
    }

    /** Markers of processes that are gone: their candidate is recorded as faulty for its shape. */
    private void recordCrashes() {
        Path dir = cacheFile.getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        String prefix = cacheFile.getFileName() + ".probe-";
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path m : markers) {
                long pid = Long.parseLong(m.getFileName().toString().substring(prefix.length()));
                if (ProcessHandle.of(pid).isPresent()) {
                    continue;
                }
                List<String> lines = Files.readAllLines(m, StandardCharsets.UTF_8);
                if (lines.size() >= 3) {
                    ConvShape shape = decode(JSON.readTree(lines.get(2)));
                    ConvRoute r = ConvRoute.of(lines.get(1));
                    System.err.println("routes: a process ended while it timed " + r.id() + " for " + shape
                            + "; that route is not used for this shape on this machine");
                    crashed(shape, r);
                }
                Files.deleteIfExists(m);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("routes: could not read the markers in " + dir + ": " + e.getMessage());
        }
    }

    /** Records a crash: the shape is measured again without the route, which stays marked. */
    private void crashed(ConvShape shape, ConvRoute route) throws IOException {
        withLock(() -> {
            Map<String, Decision> all = read(cacheFile);
            Decision before = all.get(shape.key());
            Map<ConvRoute, String> faults = new LinkedHashMap<>(before == null ? Map.of() : before.faults());
            faults.put(route, "the process ended while it was timed");
            all.put(shape.key(), new Decision(shape, null, Reason.MEASURED, Map.of(), faults));
            write(all);
            return null;
        });
    }

    /** Stores a decision, unless another process stored one for the shape first: then that one holds. */
    private Decision store(Decision d) {
        try {
            return withLock(() -> {
                Map<String, Decision> all = read(cacheFile);
                Decision other = all.get(d.shape().key());
                if (other != null && other.route() != null) {
                    cached.put(d.shape().key(), other);
                    return new Decision(d.shape(), other.route(), Reason.CACHED, other.millis(), other.faults());
                }
                Decision merged = d;
                if (other != null) {
                    Map<ConvRoute, String> faults = new LinkedHashMap<>(other.faults());
                    faults.putAll(d.faults());
                    merged = new Decision(d.shape(), d.route(), d.reason(), d.millis(), faults);
                }
                all.put(d.shape().key(), merged);
                write(all);
                return merged;
            });
        } catch (IOException e) {
            System.err.println("routes: could not write " + cacheFile + " (" + e.getMessage()
                    + "); the decision holds for this process only");
            return d;
        }
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException;
    }

    private <T> T withLock(Locked<T> body) throws IOException {
        Files.createDirectories(cacheFile.getParent());
        Path lock = cacheFile.resolveSibling(cacheFile.getFileName() + ".lock");
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            return body.run();
        }
    }

    private void write(Map<String, Decision> all) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("machine", ComputeSettings.cpu());
        doc.put("threads", ComputeSettings.threads());
        ObjectNode shapes = doc.putObject("shapes");
        all.forEach((key, d) -> {
            ObjectNode e = shapes.putObject(key);
            e.set("shape", encode(d.shape()));
            if (d.route() != null) {
                e.put("route", d.route().id());
            }
            ObjectNode ms = e.putObject("millis");
            d.millis().forEach((r, t) -> ms.put(r.id(), t));
            ObjectNode f = e.putObject("faults");
            d.faults().forEach((r, why) -> f.put(r.id(), why));
        });
        Path tmp = cacheFile.resolveSibling(
                cacheFile.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        JSON.writeValue(tmp.toFile(), doc);
        Files.move(tmp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The decisions in a cache file; an unreadable file counts as empty (it is measured again). */
    static Map<String, Decision> read(Path file) {
        Map<String, Decision> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (Map.Entry<String, JsonNode> e :
                    JSON.readTree(file.toFile()).path("shapes").properties()) {
                JsonNode v = e.getValue();
                Map<ConvRoute, Double> millis = new LinkedHashMap<>();
                v.path("millis")
                        .properties()
                        .forEach(m -> millis.put(
                                ConvRoute.of(m.getKey()), m.getValue().asDouble()));
                Map<ConvRoute, String> faults = new LinkedHashMap<>();
                v.path("faults")
                        .properties()
                        .forEach(m -> faults.put(
                                ConvRoute.of(m.getKey()), m.getValue().asText()));
                ConvRoute route =
                        v.hasNonNull("route") ? ConvRoute.of(v.path("route").asText()) : null;
                out.put(e.getKey(), new Decision(decode(v.path("shape")), route, Reason.CACHED, millis, faults));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("routes: ignoring the unreadable cache " + file + " (" + e.getMessage() + ")");
            out.clear();
        }
        return out;
    }

    private static ObjectNode encode(ConvShape s) {
        return JSON.valueToTree(s);
    }

    private static ConvShape decode(JsonNode n) {
        return JSON.convertValue(n, ConvShape.class);
    }

    /** The decisions of this process, in the order the shapes were first met. */
    public synchronized List<Decision> decisions() {
        return List.copyOf(order);
    }

    /**
     * Runs {@code body} with every training convolution on {@code route} where the shape allows it
     * (on {@link ConvRoute#ONEDNN} where not), whatever was measured: for comparing routes on a
     * whole network. Decisions made meanwhile for other shapes stand.
     */
    public synchronized <T> T withTrainingRoute(ConvRoute route, Supplier<T> body) {
        if (!route.training()) {
            throw new IllegalArgumentException(route.id() + " is not a training route");
        }
        override = route;
        try {
            return body.get();
        } finally {
            override = null;
        }
    }

    /**
     * Forgets every decision kept for this machine, in this process and in the cache file, so that
     * each shape is measured again when next met.
     */
    public synchronized void forget() throws IOException {
        decisions.clear();
        order.clear();
        cached.clear();
        if (cacheFile != null) {
            withLock(() -> Files.deleteIfExists(cacheFile));
        }
    }

    /** Where the decisions of this machine are kept, or {@code null} when they are not. */
    public Path cacheFile() {
        return cacheFile;
    }

    /** One line per route with the shapes it serves, e.g. {@code gemm 12, onednn 8 (measured)}. */
    public String summary() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Decision d : decisions()) {
            counts.merge(d.route().id(), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((r, n) ->
                sb.append(sb.length() == 0 ? "" : ", ").append(r).append(' ').append(n));
        return sb.length() == 0 ? "none yet" : sb.toString();
    }

    /** Prints every decision of this process: shape, candidates with their times and faults, the route. */
    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "%-58s %-12s %s%n", "SHAPE", "ROUTE", "CANDIDATES (fastest call in ms; faults)");
        for (Decision d : decisions()) {
            StringBuilder c = new StringBuilder();
            d.millis().forEach((r, t) -> c.append(String.format(Locale.ROOT, "%s %.3f  ", r.id(), t)));
            d.faults()
                    .forEach((r, why) ->
                            c.append(r.id()).append(" WRONG (").append(why).append(")  "));
            out.printf(
                    Locale.ROOT,
                    "%-58s %-12s %s%s%n",
                    d.shape().key(),
                    d.route().id(),
                    c.toString().strip(),
                    d.reason() == Reason.MEASURED || d.reason() == Reason.CACHED
                            ? ""
                            : " [" + d.reason().name().toLowerCase(Locale.ROOT) + "]");
        }
    }
}
