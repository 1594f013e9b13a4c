package org.attnfer.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.Explainable;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;
import org.attnfer.nn.BatchNorm;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * A ResNet classifier in the torchvision v1.5 layout, with modules at its hooks.
 *
 * <p>Named points for features: {@code stem} (after the stem and its modules), {@code layer1} to
 * {@code layer4} (stage outputs, after stage-end modules), {@code pool}, {@code logits}.
 */
public final class ResNet extends Module implements Explainable {

    /** The standard stem: 7×7 stride-2 convolution and max-pool. */
    public static final String STEM_STANDARD = "standard";
    /** The small-image stem: 3×3 stride-1 convolution, no max-pool. */
    public static final String STEM_SMALL = "small";
    /**
     * The half-resolution stem: 3×3 stride-2 convolution, no max-pool. On 48-pixel faces it keeps
     * 24×24 maps in {@code layer1} (the standard stem leaves 12×12 and a 2×2 {@code layer4}) at four
     * times the standard stem's cost; {@link #STEM_SMALL} keeps 48×48 at sixteen times.
     */
    public static final String STEM_HALF = "half";

    private final boolean maxPool;
    private final Block conv1;
    private final BatchNorm bn1;
    private final Inserted stemModules;
    private final Stage[] stages = new Stage[4];
    private final Inserted[] stageEnd = new Inserted[4];
    private final Linear fc;
    private final String lastBlock;

    /**
     * Builds the network.
     *
     * @param spec variant, input channels, classes, stem and width
     * @param insertions the modules to place at the hooks
     */
    public ResNet(BackboneSpec spec, Insertions insertions) {
        Variant variant = Variant.of(spec.variant());
        if (spec.inChannels() < 1 || spec.numClasses() < 1) {
            throw new IllegalArgumentException("ResNet needs ≥ 1 input channel and ≥ 1 class, got " + spec.inChannels()
                    + " and " + spec.numClasses());
        }
        int stride = switch (spec.stem()) {
            case STEM_STANDARD, STEM_HALF -> 2;
            case STEM_SMALL -> 1;
            default ->
                throw new IllegalArgumentException("unknown stem '" + spec.stem() + "' (known: " + STEM_STANDARD + ", "
                        + STEM_SMALL + ", " + STEM_HALF + ")");
        };
        boolean standard = STEM_STANDARD.equals(spec.stem());
        // stage s has base·2^(s-1) channels: rounding once keeps the doubling exact at any width
        int base = (int) Math.round(64 * spec.width());
        if (base < 1) {
            throw new IllegalArgumentException(
                    "width " + spec.width() + " leaves the stem no channel (64 × width must be ≥ 0.5)");
        }
        maxPool = standard;
        int in = spec.inChannels();
        Site stemSite = new Site(Hooks.STEM_CONV1, 0, -1, in, base, stride, "");
        conv1 = child(
                "conv1",
                insertions
                        .replace(stemSite)
                        .orElseGet(() -> standard
                                ? Conv2d.builder(in, base)
                                        .kernel(7)
                                        .stride(2)
                                        .padding(3)
                                        .bias(false)
                                        .build()
                                : Conv2d.builder(in, base)
                                        .kernel(3)
                                        .stride(stride)
                                        .padding(1)
                                        .bias(false)
                                        .build()));
        bn1 = child("bn1", new BatchNorm(base));
        stemModules =
                new Inserted(insertions.insert(Site.insert(Hooks.STEM, 0, -1, base, "")), namedChildren(), this::child);
        int channels = base;
        for (int s = 1; s <= 4; s++) {
            stages[s - 1] = child("layer" + s, new Stage(variant, s, channels, base, insertions));
            channels = variant.channels(s, base);
            stageEnd[s - 1] = new Inserted(
                    insertions.insert(Site.insert(Hooks.STAGE_END, s, -1, channels, "")), namedChildren(), this::child);
        }
        fc = child("fc", new Linear(channels, spec.numClasses(), true));
        lastBlock = "layer4." + (variant.blocks(4) - 1);
    }

    /** The last block of {@code layer4}: its output includes the modules inside it. */
    @Override
    public String gradCamLayer() {
        return lastBlock;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        // channels-last pays in training (backward convolutions) and costs in inference (batch 1: 21 → 35 ms)
        NDArray input = training ? Ops.channelsLast(in.singletonOrThrow()) : in.singletonOrThrow();
        NDArray x = Inserted.NONE.between(conv1, bn1, true, ps, input, training, params);
        if (maxPool) {
            x = Ops.maxPool3x3s2(x);
        }
        x = point("stem", stemModules.apply(ps, x, training, params), params);
        for (int s = 0; s < 4; s++) {
            x = run(stages[s], ps, x, training, params);
            x = point("layer" + (s + 1), stageEnd[s].apply(ps, x, training, params), params);
        }
        x = point("pool", Ops.gap(x).reshape(x.getShape().get(0), -1), params);
        return new NDList(point("logits", run(fc, ps, x, training, params), params));
    }
}
