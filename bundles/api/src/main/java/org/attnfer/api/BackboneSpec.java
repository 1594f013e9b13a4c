package org.attnfer.api;

import java.util.List;

/**
 * What to build.
 *
 * @param variant the variant name ({@code resnet50})
 * @param inChannels 1 (grayscale) or 3 (RGB)
 * @param numClasses the number of output classes
 * @param stem the stem variant ({@code standard}, {@code small} or {@code half} for ResNet)
 * @param width the channel multiplier of every layer: 1 is the published network, 0.5 halves
 *     every layer's channels (about a quarter of the cost); only for backbones whose {@link
 *     Backbone#scalesWidth()} says so
 */
public record BackboneSpec(String variant, int inChannels, int numClasses, String stem, double width) {

    /** Checks the width. */
    public BackboneSpec {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("width must be a positive number, got " + width);
        }
    }

    /**
     * Checks that a family builds this spec: a known variant and stem, at least one input channel
     * and one class.
     *
     * @param family the family's name for messages ({@code ConvNeXt})
     * @param variants the variants it builds
     * @param stems the stems it builds
     * @throws IllegalArgumentException naming the value at fault and what is known
     */
    public void require(String family, List<String> variants, List<String> stems) {
        if (!variants.contains(variant)) {
            throw new IllegalArgumentException(
                    "unknown " + family + " variant '" + variant + "' (known: " + String.join(", ", variants) + ")");
        }
        if (!stems.contains(stem)) {
            throw new IllegalArgumentException(
                    "unknown stem '" + stem + "' for " + variant + " (known: " + String.join(", ", stems) + ")");
        }
        if (inChannels < 1 || numClasses < 1) {
            throw new IllegalArgumentException(
                    family + " needs ≥ 1 input channel and ≥ 1 class, got " + inChannels + " and " + numClasses);
        }
    }

    /** The published width (1). */
    public BackboneSpec(String variant, int inChannels, int numClasses, String stem) {
        this(variant, inChannels, numClasses, stem, 1);
    }
}
