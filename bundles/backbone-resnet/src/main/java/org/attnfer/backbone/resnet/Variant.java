package org.attnfer.backbone.resnet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The ResNet depths of torchvision: block type and blocks per stage. */
public enum Variant {
    /** 18 layers, basic blocks. */
    RESNET18(false, 2, 2, 2, 2),
    /** 34 layers, basic blocks. */
    RESNET34(false, 3, 4, 6, 3),
    /** 50 layers, bottlenecks. */
    RESNET50(true, 3, 4, 6, 3),
    /** 101 layers, bottlenecks. */
    RESNET101(true, 3, 4, 23, 3);

    private final boolean bottleneck;

    @SuppressWarnings("ImmutableEnumChecker") // unmodifiable: Stream.toList()
    private final List<Integer> blocks;

    Variant(boolean bottleneck, int... blocks) {
        this.bottleneck = bottleneck;
        this.blocks = Arrays.stream(blocks).boxed().toList();
    }

    /** Whether its blocks are bottlenecks. */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** Blocks in stage {@code s} (1 to 4). */
    public int blocks(int s) {
        return blocks.get(s - 1);
    }

    /** The inner channels of stage {@code s}'s blocks when the stem has {@code base} (64 in the paper). */
    public static int planes(int s, int base) {
        return base << (s - 1);
    }

    /** Output channels of stage {@code s} when the stem has {@code base} channels. */
    public int channels(int s, int base) {
        return planes(s, base) * (bottleneck ? Bottleneck.EXPANSION : 1);
    }

    /** The lower-case name ({@code resnet50}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All names. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Variant::id).toList();
    }

    /** The variant of a name. */
    public static Variant of(String id) {
        for (Variant v : values()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "unknown ResNet variant '" + id + "' (known: " + String.join(", ", ids()) + ")");
    }
}
