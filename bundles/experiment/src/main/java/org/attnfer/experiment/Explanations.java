package org.attnfer.experiment;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.geom.AffineTransform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.attnfer.data.InputSpec;
import org.attnfer.data.Pixels;
import org.attnfer.eval.Focus;
import org.attnfer.eval.GradCam;
import org.attnfer.nn.io.SafeTensors;
import org.attnfer.nn.io.Tensor;

/**
 * The heat maps of a trained run: Grad-CAM for the true class at the last block of the last stage,
 * and the own spatial map of the first module that has one, for a fixed set of evaluation images (the first two of
 * each class, the same for every variant), kept with the images in {@code heatmaps.safetensors}.
 * Where the data knows its face regions, every evaluation image is scored for focus.
 */
final class Explanations {

    /** The file in a run folder. */
    static final String FILE = "heatmaps.safetensors";

    private static final int PER_CLASS = 2;
    private static final int BATCH = 32;

    private Explanations() {}

    /**
     * Writes the heat maps; returns the focus scores ({@code face}, {@code regions}, {@code pointing}), empty without
     * regions.
     */
    static Map<String, Double> write(Model model, Dataset data, int[] items, InputSpec input, Path file)
            throws IOException {
        GradCam cam = new GradCam(model.getBlock(), GradCam.defaultLayer(model.getBlock()));
        List<Integer> shown = shown(data, items);
        boolean scored = !data.get(items[0]).regions().isEmpty();
        List<Integer> todo = scored ? Arrays.stream(items).boxed().toList() : shown;
        Focus focus = new Focus();
        int side = input.size();
        int plane = side * side;
        float[] images = new float[shown.size() * input.length()];
        float[] camMaps = new float[shown.size() * plane];
        float[] moduleMaps = new float[shown.size() * plane];
        String moduleName = null;
        for (int from = 0; from < todo.size(); from += BATCH) {
            List<Integer> batch = todo.subList(from, Math.min(todo.size(), from + BATCH));
            float[] x = new float[batch.size() * input.length()];
            int[] labels = new int[batch.size()];
            List<Sample> samples = new ArrayList<>();
            for (int k = 0; k < batch.size(); k++) {
                Sample s = data.get(batch.get(k));
                samples.add(s);
                Pixels.write(s.image(), input, x, k * input.length());
                labels[k] = s.label();
            }
            GradCam.Maps maps;
            try (NDManager step = model.getNDManager().newSubManager()) {
                maps = cam.compute(step, step.create(x, new Shape(batch.size(), input.channels(), side, side)), labels);
            }
            moduleName = maps.moduleName();
            for (int k = 0; k < batch.size(); k++) {
                Sample s = samples.get(k);
                if (scored) {
                    focus.add(maps.cam()[k], placed(s, input));
                }
                int slot = shown.indexOf(batch.get(k));
                if (slot >= 0) {
                    for (int i = 0; i < input.length(); i++) {
                        images[slot * input.length() + i] = Pixels.unit(x[k * input.length() + i]);
                    }
                    copy(maps.cam()[k], camMaps, slot * plane);
                    if (maps.module() != null) {
                        copy(maps.module()[k], moduleMaps, slot * plane);
                    }
                }
            }
        }
        float[] labels = new float[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            labels[i] = data.label(shown.get(i));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("images", new Tensor(new long[] {shown.size(), input.channels(), side, side}, images));
        tensors.put("gradcam", new Tensor(new long[] {shown.size(), side, side}, camMaps));
        if (moduleName != null) {
            tensors.put("module", new Tensor(new long[] {shown.size(), side, side}, moduleMaps));
        }
        tensors.put("labels", new Tensor(new long[] {shown.size()}, labels));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("layer", GradCam.defaultLayer(model.getBlock()));
        meta.put("module", moduleName == null ? "" : moduleName);
        meta.put("classes", String.join(",", data.classes()));
        SafeTensors.write(file, tensors, meta);
        Map<String, Double> out = new LinkedHashMap<>();
        if (focus.any()) {
            out.put("face", focus.face());
            out.put("regions", focus.regions());
            out.put("pointing", focus.pointing());
        }
        return out;
    }

    /** The first {@value #PER_CLASS} items of every class, in class order. */
    private static List<Integer> shown(Dataset data, int[] items) {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < data.classes().size(); c++) {
            int taken = 0;
            for (int i : items) {
                if (taken < PER_CLASS && data.label(i) == c) {
                    out.add(i);
                    taken++;
                }
            }
        }
        return out;
    }

    /** The sample's regions in the coordinates of the network's input. */
    private static Map<String, java.awt.Shape> placed(Sample s, InputSpec input) {
        AffineTransform t = input.placement(s.image().getWidth(), s.image().getHeight());
        Map<String, java.awt.Shape> out = new LinkedHashMap<>();
        s.regions().forEach((k, v) -> out.put(k, t.createTransformedShape(v)));
        return out;
    }

    private static void copy(float[][] map, float[] out, int offset) {
        int w = map[0].length;
        for (int y = 0; y < map.length; y++) {
            System.arraycopy(map[y], 0, out, offset + y * w, w);
        }
    }
}
