package org.attnfer.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.api.Explainable;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.Taps;

/**
 * Grad-CAM (Selvaraju et al., <i>Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization</i>, ICCV 2017) at a named layer, and the network's own attention
 * maps next to it.
 *
 * <p>The gradient of a layer's output is read through a probe: the output gets a zero leaf tensor
 * added, whose gradient equals the output's. Maps come back at the input's resolution, scaled to
 * [0, 1] per image.
 */
public final class GradCam {

    /**
     * The maps of one batch.
     *
     * @param cam Grad-CAM per image, {@code [n][height][width]}
     * @param module the spatial map of the first module that has one (the finest resolution),
     *     same layout, scaled from its minimum to its maximum; {@code null} if none has
     * @param moduleName that module's layer name
     */
    public record Maps(float[][][] cam, float[][][] module, String moduleName) {}

    private final Block model;
    private final Block target;

    /**
     * @param model the network
     * @param layer the target layer's name ({@code layer4.2}); see {@link #defaultLayer}
     * @throws IllegalArgumentException when the network has no such layer
     */
    public GradCam(Block model, String layer) {
        this.model = model;
        Map<String, Block> blocks = StateDict.blocks(model);
        this.target = blocks.get(layer);
        if (target == null) {
            throw new IllegalArgumentException("the network has no layer named '" + layer + "'"
                    + (model instanceof Explainable e ? " (its default is " + e.gradCamLayer() + ")" : ""));
        }
    }

    /**
     * The layer the network names for Grad-CAM ({@link Explainable}): the last block of its last
     * stage, whose output includes the modules inside it ({@code layer4.2} for ResNet50, {@code
     * features.18} for MobileNetV2).
     *
     * @throws IllegalArgumentException when the network names none
     */
    public static String defaultLayer(Block model) {
        if (model instanceof Explainable explainable) {
            return explainable.gradCamLayer();
        }
        throw new IllegalArgumentException(
                "the network (" + model.getClass().getSimpleName() + ") names no Grad-CAM layer; name one");
    }

    /**
     * Computes the maps of a batch, in eval mode.
     *
     * @param manager a manager for this batch's arrays
     * @param images {@code [n, C, H, W]}
     * @param classes the class to explain for each image
     */
    public Maps compute(NDManager manager, NDArray images, int[] classes) {
        ParameterStore store = new ParameterStore(manager, false);
        List<NDArray> probe = new ArrayList<>(2);
        List<Block> modules = new ArrayList<>();
        List<NDArray> moduleInputs = new ArrayList<>();
        Taps.Listener listener = new Taps.Listener() {
            @Override
            public NDList afterBlock(Block block, NDList in, NDList out) {
                if (block instanceof AttentionMaps) {
                    modules.add(block);
                    moduleInputs.add(in.singletonOrThrow().stopGradient());
                }
                if (block != target) {
                    return out;
                }
                NDArray a = out.singletonOrThrow();
                NDArray zero = manager.zeros(a.getShape());
                zero.setRequiresGradient(true);
                probe.add(a);
                probe.add(zero);
                return new NDList(a.add(zero));
            }
        };
        long[] labels = new long[classes.length];
        for (int i = 0; i < classes.length; i++) {
            labels[i] = classes[i];
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(store, new NDList(images), false, Taps.with(listener))
                    .singletonOrThrow();
            NDArray score = logits.mul(manager.create(labels)
                            .oneHot((int) logits.getShape().get(1)))
                    .sum();
            gc.backward(score);
        }
        NDArray a = probe.get(0).stopGradient();
        NDArray grad = probe.get(1).getGradient();
        // α_k = spatial mean of the gradient; CAM = ReLU(Σ_k α_k A_k)
        NDArray weights = grad.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray cam = a.mul(weights).sum(new int[] {1}).maximum(manager.create(0f));
        clearGradients();
        int h = (int) images.getShape().get(2);
        int w = (int) images.getShape().get(3);
        float[][][] camMaps = resize(cam, h, w, true);
        float[][][] moduleMaps = null;
        String moduleName = null;
        for (int i = 0; i < modules.size() && moduleMaps == null; i++) {
            NDArray spatial = ((AttentionMaps) modules.get(i))
                    .attentionMaps(store, moduleInputs.get(i))
                    .get("spatial");
            if (spatial != null) {
                moduleMaps = resize(
                        spatial.reshape(
                                spatial.getShape().get(0),
                                spatial.getShape().get(2),
                                spatial.getShape().get(3)),
                        h,
                        w,
                        false);
                moduleName = nameOf(modules.get(i));
            }
        }
        return new Maps(camMaps, moduleMaps, moduleName);
    }

    private String nameOf(Block block) {
        return StateDict.blocks(model).entrySet().stream()
                .filter(e -> e.getValue() == block)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("?");
    }

    private void clearGradients() {
        for (Parameter p : StateDict.parameters(model).values()) {
            if (p.requiresGradient() && p.getArray().hasGradient()) {
                NDArray g = p.getArray().getGradient();
                g.subi(g);
                g.close();
            }
        }
    }

    /**
     * Bilinear resize of {@code [n, h, w]} maps to the image size, each scaled to [0, 1]: from 0
     * (Grad-CAM, where 0 means no evidence) or from the map's minimum (gates, whose contrast is the
     * point).
     */
    static float[][][] resize(NDArray maps, int height, int width, boolean fromZero) {
        int n = (int) maps.getShape().get(0);
        int h = (int) maps.getShape().get(1);
        int w = (int) maps.getShape().get(2);
        float[] v = maps.toFloatArray();
        float[][][] out = new float[n][height][width];
        for (int k = 0; k < n; k++) {
            float max = 0;
            float min = Float.MAX_VALUE;
            for (int y = 0; y < height; y++) {
                // pixel centres map to map coordinates, clamped at the borders
                double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / height - 0.5));
                int y0 = (int) Math.floor(sy);
                int y1 = Math.min(h - 1, y0 + 1);
                double fy = sy - y0;
                for (int x = 0; x < width; x++) {
                    double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / width - 0.5));
                    int x0 = (int) Math.floor(sx);
                    int x1 = Math.min(w - 1, x0 + 1);
                    double fx = sx - x0;
                    int base = k * h * w;
                    double val = (1 - fy) * ((1 - fx) * v[base + y0 * w + x0] + fx * v[base + y0 * w + x1])
                            + fy * ((1 - fx) * v[base + y1 * w + x0] + fx * v[base + y1 * w + x1]);
                    out[k][y][x] = (float) val;
                    max = Math.max(max, (float) val);
                    min = Math.min(min, (float) val);
                }
            }
            float low = fromZero ? Math.min(min, 0) : min;
            float range = max - low;
            for (float[] row : out[k]) {
                for (int x = 0; x < width; x++) {
                    row[x] = range > 0 ? (row[x] - low) / range : 0f;
                }
            }
        }
        return out;
    }
}
