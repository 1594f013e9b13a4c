package org.attnfer.api;

/**
 * The hook names every backbone family uses for the places that mean the same thing in each of
 * them, so that a module's default place ({@link ModuleInfo#defaultHook()}) works on any family.
 *
 * <p>The names come from ResNet's bottleneck, the first family; MobileNetV2 (inverted residual
 * "bottlenecks") and ConvNeXt (inverted bottlenecks) map them onto their own blocks. A family that
 * lacks one of these places says why in {@link Backbone#missingHooks()}.
 */
public final class HookNames {

    /** Replaces the stem's stride-2 convolution (a sampling module such as SC goes here). */
    public static final String STEM_CONV1 = "stem.conv1";
    /** After the stem, before the first stage. */
    public static final String STEM = "stem";
    /** In every block, after the spatial convolution (3×3, or depthwise) and before its normalisation. */
    public static final String AFTER_CONV2 = "bottleneck.after_conv2";
    /** Replaces every block's dense 3×3 spatial convolution, with its stride. */
    public static final String CONV2 = "bottleneck.conv2";
    /** In every block, at the end of the residual branch, before the residual addition. */
    public static final String AFTER_BN3 = "bottleneck.after_bn3";
    /** After a stage's output. Stage {@code s} ends at output stride {@code 2^(s+1)} (4, 8, 16, 32). */
    public static final String STAGE_END = "stage_end";

    private HookNames() {}
}
