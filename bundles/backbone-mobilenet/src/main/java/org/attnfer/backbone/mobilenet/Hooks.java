package org.attnfer.backbone.mobilenet;

import java.util.List;
import java.util.Map;
import org.attnfer.api.HookKind;
import org.attnfer.api.HookNames;
import org.attnfer.api.HookPoint;

/**
 * MobileNetV2's hooks, in the shared vocabulary. Its seventeen inverted residual blocks fall into
 * four stages by output stride, as ResNet's do: stage 1 is {@code features.1}–{@code 3} (stride 4),
 * 2 is {@code features.4}–{@code 6} (8), 3 is {@code features.7}–{@code 13} (16) and 4 is {@code
 * features.14}–{@code 17} (32).
 */
public final class Hooks {

    /** All hooks with their kinds and stages. */
    public static final List<HookPoint> ALL = List.of(
            new HookPoint(
                    HookNames.STEM_CONV1,
                    HookKind.REPLACE,
                    List.of(0),
                    "replaces the stem's 3×3 stride-2 convolution features.0.0"),
            new HookPoint(HookNames.STEM, HookKind.INSERT, List.of(0), "after the stem features.0, 32 channels"),
            new HookPoint(
                    HookNames.AFTER_CONV2,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "in every block, after the 3×3 depthwise convolution, before its BatchNorm"),
            new HookPoint(
                    HookNames.AFTER_BN3,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "in every block, after the projection's BatchNorm, before the residual addition (if any)"),
            new HookPoint(
                    HookNames.STAGE_END,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "after features.3, 6, 13 and 17 (output strides 4, 8, 16, 32)"));

    /** The shared hooks it lacks, with the reason. */
    public static final Map<String, String> MISSING = Map.of(
            HookNames.CONV2,
            "MobileNetV2's blocks have no dense 3×3 convolution to replace, only depthwise ones"
                    + " (insert the module at " + HookNames.AFTER_CONV2 + " instead)");

    private Hooks() {}
}
