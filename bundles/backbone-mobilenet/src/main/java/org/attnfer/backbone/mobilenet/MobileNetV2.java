package org.attnfer.backbone.mobilenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.Explainable;
import org.attnfer.api.HookNames;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.Chain;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;
import org.attnfer.nn.Sequential;

/**
 * torchvision's {@code mobilenet_v2}: a 3×3 stride-2 stem, seventeen inverted residual blocks, a
 * 1×1 convolution to 1280 channels and a classifier with dropout 0.2, named {@code features.N...}
 * and {@code classifier.1}. The width multiplier rounds every layer to a multiple of 8 as
 * torchvision does.
 *
 * <p>Named points: {@code stem}, {@code stage1} to {@code stage4} (after stage-end modules),
 * {@code pool}, {@code logits}.
 */
public final class MobileNetV2 extends Module implements Explainable {

    /** The only stem: 3×3 stride-2 convolution. */
    public static final String STEM_STANDARD = "standard";
    /** The variant name. */
    public static final String VARIANT = "mobilenet_v2";

    /** One row of the paper's Table 2: expansion t, channels c, repeats n, stride s; and its stage. */
    private record Setting(int t, int c, int n, int s, int stage) {}

    private static final List<Setting> SETTINGS = List.of(
            new Setting(1, 16, 1, 1, 1),
            new Setting(6, 24, 2, 2, 1),
            new Setting(6, 32, 3, 2, 2),
            new Setting(6, 64, 4, 2, 3),
            new Setting(6, 96, 3, 1, 3),
            new Setting(6, 160, 3, 2, 4),
            new Setting(6, 320, 1, 1, 4));

    private final Sequential features;
    private final Chain stem;
    private final Chain[] stageEnd = new Chain[4];
    // the index in features of each stage's last block
    private final int[] stageLast = new int[4];
    private final Classifier classifier;

    /**
     * Builds the network.
     *
     * @param spec variant ({@value #VARIANT}), input channels, classes, stem and width
     * @param insertions the modules to place at the hooks
     */
    public MobileNetV2(BackboneSpec spec, Insertions insertions) {
        spec.require("MobileNetV2", List.of(VARIANT), List.of(STEM_STANDARD));
        double width = spec.width();
        int channels = divisible(32 * width);
        int last = divisible(1280 * Math.max(1, width));
        features = child("features", new Sequential());
        Site stemSite = new Site(HookNames.STEM_CONV1, 0, -1, spec.inChannels(), channels, 2, "features.0");
        Block stemConv = insertions
                .replace(stemSite)
                .orElseGet(() -> Conv2d.builder(spec.inChannels(), channels)
                        .kernel(3)
                        .stride(2)
                        .padding(1)
                        .bias(false)
                        .build());
        features.add(new ConvBnAct(stemConv, channels));
        stem = chain(insertions.insert(Site.insert(HookNames.STEM, 0, -1, channels, "")), Insert::name, Insert::block);
        int in = channels;
        int index = 0;
        for (int r = 0; r < SETTINGS.size(); r++) {
            Setting s = SETTINGS.get(r);
            int out = divisible(s.c() * width);
            for (int i = 0; i < s.n(); i++) {
                String path = "features." + features.size();
                features.add(
                        new InvertedResidual(in, out, i == 0 ? s.s() : 1, s.t(), s.stage(), index++, path, insertions));
                in = out;
            }
            if (r + 1 == SETTINGS.size() || SETTINGS.get(r + 1).stage() != s.stage()) {
                stageLast[s.stage() - 1] = features.size() - 1;
                stageEnd[s.stage() - 1] = chain(
                        insertions.insert(Site.insert(HookNames.STAGE_END, s.stage(), -1, out, "")),
                        Insert::name,
                        Insert::block);
                index = 0;
            }
        }
        features.add(new ConvBnAct(Conv2d.builder(in, last).bias(false).build(), last));
        classifier = child("classifier", new Classifier(last, spec.numClasses()));
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, never 10 % below {@code v}. */
    static int divisible(double v) {
        int rounded = Math.max(8, (int) (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    /** The final 1×1 convolution, the last layer with a spatial extent. */
    @Override
    public String gradCamLayer() {
        return "features." + (features.size() - 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = training ? Ops.channelsLast(in.singletonOrThrow()) : in.singletonOrThrow();
        x = run(features.get(0), ps, x, training, params);
        x = point("stem", stem.apply(ps, x, training, params), params);
        int stage = 0;
        for (int i = 1; i < features.size() - 1; i++) {
            x = run(features.get(i), ps, x, training, params);
            if (i == stageLast[stage]) {
                x = point("stage" + (stage + 1), stageEnd[stage].apply(ps, x, training, params), params);
                stage++;
            }
        }
        x = run(features.get(features.size() - 1), ps, x, training, params);
        x = point("pool", Ops.gap(x).reshape(x.getShape().get(0), -1), params);
        return new NDList(point("logits", run(classifier, ps, x, training, params), params));
    }
}
