package org.attnfer.api;

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

    /** The published width (1). */
    public BackboneSpec(String variant, int inChannels, int numClasses, String stem) {
        this(variant, inChannels, numClasses, stem, 1);
    }
}
