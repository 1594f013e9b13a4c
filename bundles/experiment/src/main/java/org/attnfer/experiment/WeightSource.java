package org.attnfer.experiment;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a variant's weights start from: a published checkpoint rather than a random
 * initialisation ({@code model: {backbone: resnet50, init: {weights: resnet50.pth, skip: [fc.*]}}}).
 *
 * @param weights the file (.pth, .pt, .safetensors, .npz), absolute
 * @param prefix stripped from the file's names before matching ({@code module.}); empty for none
 * @param skip glob patterns of the model's names to leave new ({@code fc.*})
 */
public record WeightSource(Path weights, String prefix, List<String> skip) {

    /** Copies the patterns. */
    public WeightSource {
        skip = List.copyOf(skip);
    }
}
