package org.attnfer.nn.pytorch;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's operator profiler, which DJL's engine-neutral API does not expose: where a step's time
 * goes, operator by operator, as PyTorch's {@code torch.profiler} reports it for the peer.
 */
public final class OperatorProfile {

    /** One operator's share of the profiled time. */
    public record Operator(String name, long calls, double selfMillis) {}

    /**
     * Several steps profiled one by one, and the one kept.
     *
     * @param operators the kept step's operators by self time, largest first
     * @param stepMillis every step's operator time, in the order they ran
     * @param kept the index of the kept step: the one whose operator time is the median
     */
    public record Steps(List<Operator> operators, List<Double> stepMillis, int kept) {}

    /** One event of a trace, in microseconds. */
    private record Span(String name, double start, double duration) {
        double end() {
            return start + duration;
        }
    }

    private OperatorProfile() {}

    /**
     * Runs {@code body} under libtorch's profiler and writes its trace to {@code trace} in the Chrome
     * trace format (chrome://tracing, Perfetto), with the input shapes: whole, through a temporary
     * file beside it.
     *
     * @throws UncheckedIOException naming the folder, before {@code body} runs, when it does not exist
     */
    public static void record(Path trace, Runnable body) {
        Path parent = folderOf(trace);
        try {
            Path temp = Files.createTempFile(parent, "." + trace.getFileName(), ".tmp");
            try {
                JniUtils.startProfile(false, true, false);
                try {
                    body.run();
                } finally {
                    JniUtils.stopProfile(temp.toString());
                }
                Files.move(temp, trace, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Profiles {@code steps} runs of {@code step}, each under a profiler of its own, and keeps the
     * trace and the operators of the step whose operator time is the median: a step that the
     * machine stalled (every large operator waiting tens of milliseconds, seen once in a few
     * profiled steps) then neither skews the table nor fills the trace.
     *
     * @throws UncheckedIOException naming the folder, before {@code step} runs, when it does not exist
     */
    public static Steps medianStep(int steps, Path trace, Runnable step) {
        Path parent = folderOf(trace);
        List<Path> traces = new ArrayList<>();
        try {
            try {
                List<List<Operator>> summaries = new ArrayList<>();
                double[] millis = new double[steps];
                for (int i = 0; i < steps; i++) {
                    traces.add(Files.createTempFile(parent, "." + trace.getFileName() + "-" + i, ".tmp"));
                    record(traces.get(i), step);
                    summaries.add(summarise(traces.get(i)));
                    millis[i] = summaries.get(i).stream()
                            .mapToDouble(Operator::selfMillis)
                            .sum();
                }
                int kept = medianIndex(millis);
                Files.move(
                        traces.get(kept), trace, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Steps(
                        summaries.get(kept), Arrays.stream(millis).boxed().toList(), kept);
            } finally {
                for (Path t : traces) {
                    Files.deleteIfExists(t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index of the median of {@code values} (of the lower one of the middle two for an even count). */
    static int medianIndex(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        return order[(values.length - 1) / 2];
    }

    /** The folder a trace goes into; named when it does not exist. */
    private static Path folderOf(Path trace) {
        Path parent = trace.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new UncheckedIOException(new NoSuchFileException(
                    parent.toString(), null, "no such folder to write " + trace.getFileName() + " into"));
        }
        return parent;
    }

    /**
     * The operators of a trace by self time (time not spent in operators they called), largest first.
     *
     * @throws UncheckedIOException naming the file when it cannot be read as a trace
     */
    public static List<Operator> summarise(Path trace) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(trace));
        } catch (IOException e) {
            throw new UncheckedIOException(trace + ": not a readable profiler trace: " + e.getMessage(), e);
        }
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<Span>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText()) && e.has("dur")) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>())
                        .add(new Span(
                                e.path("name").asText(),
                                e.path("ts").asDouble(),
                                e.path("dur").asDouble()));
            }
        }
        Map<String, double[]> totals = new HashMap<>();
        for (List<Span> spans : byThread.values()) {
            // outer spans first where two start together, so that nesting follows from the order
            spans.sort(
                    Comparator.comparingDouble(Span::start).thenComparing(Span::duration, Comparator.reverseOrder()));
            Deque<Span> open = new ArrayDeque<>();
            for (Span s : spans) {
                while (!open.isEmpty() && open.peek().end() <= s.start()) {
                    open.pop();
                }
                double[] total = totals.computeIfAbsent(s.name(), n -> new double[2]);
                total[0]++;
                total[1] += s.duration();
                if (!open.isEmpty()) {
                    totals.get(open.peek().name())[1] -= s.duration();
                }
                open.push(s);
            }
        }
        List<Operator> out = new ArrayList<>();
        totals.forEach((name, t) -> out.add(new Operator(name, (long) t[0], t[1] / 1000)));
        out.sort(Comparator.comparingDouble(Operator::selfMillis).reversed());
        return out;
    }
}
