package org.attnfer.backbone.convnext;

import java.util.List;
import java.util.Map;
import org.attnfer.api.HookKind;
import org.attnfer.api.HookNames;
import org.attnfer.api.HookPoint;

/**
 * ConvNeXt's hooks, in the shared vocabulary. Its stages are torchvision's {@code features.1},
 * {@code 3}, {@code 5} and {@code 7} (output strides 4, 8, 16, 32); {@code features.2}, {@code 4}
 * and {@code 6} are the downsampling layers between them.
 */
public final class Hooks {

    /** All hooks with their kinds and stages. */
    public static final List<HookPoint> ALL = List.of(
            new HookPoint(
                    HookNames.STEM,
                    HookKind.INSERT,
                    List.of(0),
                    "after the patchify stem features.0 (4×4 stride 4, LayerNorm)"),
            new HookPoint(
                    HookNames.AFTER_CONV2,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "in every block, after the 7×7 depthwise convolution, before its LayerNorm"),
            new HookPoint(
                    HookNames.AFTER_BN3,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "in every block, after the last pointwise layer, before the layer scale and the residual addition"),
            new HookPoint(
                    HookNames.STAGE_END,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "after features.1, 3, 5 and 7 (output strides 4, 8, 16, 32)"));

    /** The shared hooks it lacks, with the reason. */
    public static final Map<String, String> MISSING = Map.of(
            HookNames.STEM_CONV1,
            "ConvNeXt's stem is a 4×4 stride-4 patchify convolution with LayerNorm, not a stride-2 convolution"
                    + " a sampling module could replace",
            HookNames.CONV2,
            "ConvNeXt's blocks have no 3×3 convolution to replace, only a 7×7 depthwise one" + " (insert the module at "
                    + HookNames.AFTER_CONV2 + " instead)");

    private Hooks() {}
}
