package org.attnfer.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.attnfer.nn.io.Tensor;

/**
 * Starts a network from published weights that do not fit it exactly: a checkpoint of the plain
 * backbone for a variant with attention modules, a 1000-class head for a 7-class task, a colour
 * stem for gray faces. Names are matched after a prefix is stripped; a tensor of the same shape
 * loads; a first convolution of 3 input channels loads into a gray network summed over the colour
 * channels (so a gray image gives what the colour network gives on that image repeated), and one
 * of 1 channel into a colour network repeated and divided by 3; everything else keeps its fresh
 * initialisation, and the report says which.
 */
public final class WeightInit {

    /**
     * What an initialisation did.
     *
     * @param loaded names whose values were copied as they are
     * @param adapted names loaded with their channels adapted ({@code conv1.weight (3 → 1 channels)})
     * @param skipped names of the file left out by a skip pattern
     * @param fresh names of the model that keep their initialisation, with why ({@code fc.weight
     *     (shape [1000, 512] ≠ [7, 512])}, {@code layer1.0.ca.fc1.weight (not in the file)})
     * @param unused names of the file that the model does not have
     */
    public record Report(
            List<String> loaded, List<String> adapted, List<String> skipped, List<String> fresh, List<String> unused) {

        /** Copies the lists. */
        public Report {
            loaded = List.copyOf(loaded);
            adapted = List.copyOf(adapted);
            skipped = List.copyOf(skipped);
            fresh = List.copyOf(fresh);
            unused = List.copyOf(unused);
        }

        /** One line: counts, and the names of the few that were adapted or kept new for a shape. */
        public String describe() {
            StringBuilder sb =
                    new StringBuilder().append(loaded.size() + adapted.size()).append(" tensors loaded");
            if (!adapted.isEmpty()) {
                sb.append(" (")
                        .append(adapted.size())
                        .append(" adapted: ")
                        .append(String.join(", ", adapted))
                        .append(')');
            }
            if (!skipped.isEmpty()) {
                sb.append(", ").append(skipped.size()).append(" skipped");
            }
            sb.append(", ").append(fresh.size()).append(" left new");
            List<String> shapes =
                    fresh.stream().filter(f -> f.contains("≠")).limit(3).toList();
            if (!shapes.isEmpty()) {
                sb.append(" (")
                        .append(String.join(", ", shapes))
                        .append(fresh.size() > shapes.size() ? ", ..." : "")
                        .append(')');
            }
            if (!unused.isEmpty()) {
                sb.append(", ").append(unused.size()).append(" of the file unused");
            }
            return sb.toString();
        }

        /** The report as a document, for a run's manifest. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loaded", loaded.size() + adapted.size());
            m.put("adapted", adapted);
            m.put("skipped", skipped);
            m.put("left_new", fresh);
            m.put("unused", unused.size());
            return m;
        }
    }

    private WeightInit() {}

    /**
     * Loads what fits.
     *
     * @param root an initialised network
     * @param weights the file's tensors by name
     * @param prefix stripped from the file's names first; names without it are not considered
     * @param skip glob patterns ({@code fc.*}) of the model's names to leave new
     * @throws IllegalArgumentException when nothing loads: a wrong prefix or another network
     */
    public static Report apply(Block root, Map<String, Tensor> weights, String prefix, List<String> skip) {
        Map<String, Tensor> file = new LinkedHashMap<>();
        weights.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.endsWith("num_batches_tracked")) {
                file.put(k.substring(prefix.length()), v);
            }
        });
        List<Pattern> patterns = skip.stream().map(WeightInit::glob).toList();
        Map<String, Parameter> params = StateDict.parameters(root);
        Map<String, Tensor> toLoad = new LinkedHashMap<>();
        List<String> loaded = new ArrayList<>();
        List<String> adapted = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().getShape().getShape();
            Tensor t = file.get(name);
            if (patterns.stream().anyMatch(p -> p.matcher(name).matches())) {
                if (t != null) {
                    skipped.add(name);
                }
                fresh.add(name + " (skipped)");
            } else if (t == null) {
                fresh.add(name + " (not in the file)");
            } else if (Arrays.equals(t.shape(), shape)) {
                toLoad.put(name, t);
                loaded.add(name);
            } else if (channelsAdapt(t.shape(), shape)) {
                toLoad.put(name, adaptChannels(t, (int) shape[1]));
                adapted.add(name + " (" + t.shape()[1] + " → " + shape[1] + " channels)");
            } else {
                fresh.add(name + " (shape " + Arrays.toString(t.shape()) + " ≠ " + Arrays.toString(shape) + ")");
            }
        }
        List<String> unused =
                file.keySet().stream().filter(k -> !params.containsKey(k)).toList();
        if (toLoad.isEmpty()) {
            String first = weights.keySet().stream().findFirst().orElse("none");
            String model = params.keySet().stream().findFirst().orElse("none");
            throw new IllegalArgumentException("no tensor of the file matches the model's names (the file's first: '"
                    + first + "', the model's first: '" + model + "'"
                    + (prefix.isEmpty() ? "" : ", after stripping the prefix '" + prefix + "'")
                    + "); check the prefix, or whether the file is of this backbone");
        }
        // every name is present in the map with its final shape, so the load can be strict about it
        Map<String, Tensor> all = new LinkedHashMap<>(StateDict.export(root));
        all.putAll(toLoad);
        StateDict.load(root, all, true);
        return new Report(loaded, adapted, skipped, fresh, unused);
    }

    /** A 4-d weight whose input channels are 3 where the model has 1, or 1 where it has 3. */
    private static boolean channelsAdapt(long[] file, long[] model) {
        return file.length == 4
                && model.length == 4
                && file[0] == model[0]
                && file[2] == model[2]
                && file[3] == model[3]
                && ((file[1] == 3 && model[1] == 1) || (file[1] == 1 && model[1] == 3));
    }

    private static Tensor adaptChannels(Tensor t, int channels) {
        long[] s = t.shape();
        int out = (int) s[0];
        int inFile = (int) s[1];
        int k = (int) (s[2] * s[3]);
        float[] d = t.data();
        float[] r = new float[out * channels * k];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < k; j++) {
                if (channels == 1) {
                    float sum = 0;
                    for (int c = 0; c < inFile; c++) {
                        sum += d[(o * inFile + c) * k + j];
                    }
                    r[o * k + j] = sum;
                } else {
                    for (int c = 0; c < channels; c++) {
                        r[(o * channels + c) * k + j] = d[o * k + j] / channels;
                    }
                }
            }
        }
        return new Tensor(new long[] {s[0], channels, s[2], s[3]}, r);
    }

    /** {@code fc.*} → a regular expression over names: {@code *} is any run, {@code ?} one character. */
    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            re.append(
                    switch (c) {
                        case '*' -> ".*";
                        case '?' -> ".";
                        default -> Pattern.quote(String.valueOf(c));
                    });
        }
        return Pattern.compile(re.toString());
    }
}
