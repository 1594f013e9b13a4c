package org.attnfer.backbone.convnext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.Explainable;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.LayerNorm;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;
import org.attnfer.nn.Sequential;

/**
 * torchvision's {@code convnext_tiny}: a 4×4 stride-4 patchify stem with LayerNorm, four stages of
 * 3, 3, 9 and 3 blocks at 96, 192, 384 and 768 channels with LayerNorm and 2×2 stride-2
 * downsampling between them, global average pooling and a LayerNorm-and-linear classifier, named
 * {@code features.N...} and {@code classifier.N}. Stochastic depth grows linearly from 0 to 0.1
 * over the blocks. The width multiplier scales every stage's channels from the first (96·width,
 * doubling).
 *
 * <p>Named points: {@code stem}, {@code stage1} to {@code stage4} (after stage-end modules),
 * {@code pool}, {@code logits}.
 */
public final class ConvNeXt extends Module implements Explainable {

    /** The only stem: the 4×4 stride-4 patchify convolution. */
    public static final String STEM_STANDARD = "standard";
    /** The variant name. */
    public static final String VARIANT = "convnext_tiny";
    /** The LayerNorm ε of every ConvNeXt norm. */
    static final double EPS = 1e-6;

    private static final List<Integer> DEPTHS = List.of(3, 3, 9, 3);
    private static final double STOCHASTIC_DEPTH = 0.1;

    private final Sequential features;
    private final Chain stem;
    private final Chain[] stageEnd = new Chain[4];
    private final Head classifier;
    private final List<Double> drops = new ArrayList<>();

    /**
     * Builds the network.
     *
     * @param spec variant ({@value #VARIANT}), input channels, classes, stem and width
     * @param insertions the modules to place at the hooks
     */
    public ConvNeXt(BackboneSpec spec, Insertions insertions) {
        spec.require("ConvNeXt", List.of(VARIANT), List.of(STEM_STANDARD));
        int base = (int) Math.round(96 * spec.width());
        if (base < 1) {
            throw new IllegalArgumentException(
                    "width " + spec.width() + " leaves the stem no channel (96 × width must be ≥ 0.5)");
        }
        features = child("features", new Sequential());
        Sequential stemLayers = features.add(new Sequential());
        stemLayers.add(
                Conv2d.builder(spec.inChannels(), base).kernel(4).stride(4).build());
        stemLayers.add(new LayerNorm(base, EPS, LayerNorm.Layout.CHANNELS_FIRST));
        stem = chain(insertions.insert(Site.insert(HookNames.STEM, 0, -1, base, "")), Insert::name, Insert::block);
        int total = DEPTHS.stream().mapToInt(Integer::intValue).sum();
        int done = 0;
        int channels = base;
        for (int s = 1; s <= DEPTHS.size(); s++) {
            if (s > 1) {
                Sequential down = features.add(new Sequential());
                down.add(new LayerNorm(channels, EPS, LayerNorm.Layout.CHANNELS_FIRST));
                down.add(Conv2d.builder(channels, 2 * channels)
                        .kernel(2)
                        .stride(2)
                        .build());
                channels *= 2;
            }
            Sequential stage = features.add(new Sequential());
            String path = "features." + (features.size() - 1);
            for (int i = 0; i < DEPTHS.get(s - 1); i++) {
                double p = STOCHASTIC_DEPTH * done++ / (total - 1);
                drops.add(p);
                stage.add(new CNBlock(channels, p, s, i, path + "." + i, insertions));
            }
            stageEnd[s - 1] = chain(
                    insertions.insert(Site.insert(HookNames.STAGE_END, s, -1, channels, "")),
                    Insert::name,
                    Insert::block);
        }
        classifier = child("classifier", new Head(channels, spec.numClasses()));
    }

    /** The stochastic depth of every block, in order: from 0 to 0.1 as in torchvision. */
    public List<Double> dropProbabilities() {
        return Collections.unmodifiableList(drops);
    }

    /** The last stage, {@code features.7}: its output includes the modules of its blocks. */
    @Override
    public String gradCamLayer() {
        return "features." + (features.size() - 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = training ? Ops.channelsLast(in.singletonOrThrow()) : in.singletonOrThrow();
        x = run(features.get(0), ps, x, training, params);
        x = point("stem", stem.apply(ps, x, training, params), params);
        for (int s = 0; s < stageEnd.length; s++) {
            if (s > 0) {
                x = run(features.get(2 * s), ps, x, training, params);
            }
            x = run(features.get(2 * s + 1), ps, x, training, params);
            x = point("stage" + (s + 1), stageEnd[s].apply(ps, x, training, params), params);
        }
        x = point("pool", Ops.gap(x).reshape(x.getShape().get(0), -1), params);
        return new NDList(point("logits", run(classifier, ps, x, training, params), params));
    }
}
