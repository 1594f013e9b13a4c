package org.attnfer.backbone.resnet;

import java.util.List;
import org.attnfer.api.HookKind;
import org.attnfer.api.HookNames;
import org.attnfer.api.HookPoint;

/**
 * The hooks of ResNet. In ResNet18/34 the {@code bottleneck.*} hooks address the basic block: its
 * second 3×3 convolution is {@code conv2} and its last BatchNorm ({@code bn2}) plays the part of
 * {@code bn3}.
 */
public final class Hooks {

    /** Replaces the stem convolution ({@code conv1}, 7×7 stride 2); sampling modules go here. */
    public static final String STEM_CONV1 = HookNames.STEM_CONV1;
    /** After the stem (after the max-pool), 64 channels. */
    public static final String STEM = HookNames.STEM;
    /** Inside every block, after {@code conv2} and before {@code bn2} (SimAM's official place). */
    public static final String AFTER_CONV2 = HookNames.AFTER_CONV2;
    /** Replaces every block's {@code conv2}, including its stride (ACmix). */
    public static final String CONV2 = HookNames.CONV2;
    /** Inside every block, after its last BatchNorm, before the residual addition. */
    public static final String AFTER_BN3 = HookNames.AFTER_BN3;
    /** After the output of a stage (after its last block's ReLU). */
    public static final String STAGE_END = HookNames.STAGE_END;

    /** All hooks with their kinds and stages. */
    public static final List<HookPoint> ALL = List.of(
            new HookPoint(STEM_CONV1, HookKind.REPLACE, List.of(0), "replaces the stem convolution conv1 (stride 2)"),
            new HookPoint(STEM, HookKind.INSERT, List.of(0), "after the stem's max-pool, 64 channels"),
            new HookPoint(AFTER_CONV2, HookKind.INSERT, List.of(1, 2, 3, 4), "in every block, after conv2, before bn2"),
            new HookPoint(
                    CONV2, HookKind.REPLACE, List.of(1, 2, 3, 4), "replaces every block's 3×3 conv2 with its stride"),
            new HookPoint(
                    AFTER_BN3,
                    HookKind.INSERT,
                    List.of(1, 2, 3, 4),
                    "in every block, after the last BatchNorm, before the residual addition"),
            new HookPoint(STAGE_END, HookKind.INSERT, List.of(1, 2, 3, 4), "after a stage's output"));

    private Hooks() {}
}
