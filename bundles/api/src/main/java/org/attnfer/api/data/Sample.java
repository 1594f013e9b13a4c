package org.attnfer.api.data;

import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * One labelled image.
 *
 * @param id a stable identifier (a relative file path, a CSV row, a generator index)
 * @param label the class index into {@link Dataset#classes()}
 * @param image the image at its stored size; grayscale or RGB
 * @param regions known regions in image coordinates, when the source knows them: {@code face} (the
 *     face box) and key regions such as {@code brows}, {@code eyes}, {@code mouth}; else empty
 */
public record Sample(String id, int label, BufferedImage image, Map<String, Shape> regions) {

    /** Copies the region map. */
    public Sample {
        regions = regions == null ? Map.of() : Map.copyOf(regions);
    }
}
