package org.attnfer.api;

/**
 * What to build.
 *
 * @param variant the variant name ({@code resnet50})
 * @param inChannels 1 (grayscale) or 3 (RGB)
 * @param numClasses the number of output classes
 * @param stem the stem variant ({@code standard}, {@code small} or {@code half} for ResNet)
 */
public record BackboneSpec(String variant, int inChannels, int numClasses, String stem) {}
