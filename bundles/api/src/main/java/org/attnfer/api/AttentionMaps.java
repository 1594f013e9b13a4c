package org.attnfer.api;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A module block that can show what it attends to, for visualisation next to Grad-CAM.
 *
 * <p>Maps are computed in eval mode from the block's own input. Spatial maps are {@code
 * [N,1,H,W]} or {@code [N,C,H,W]}; channel maps are {@code [N,C]}.
 */
@ConsumerType
public interface AttentionMaps {

    /**
     * Computes the block's intrinsic attention for an input.
     *
     * @param store the parameter store of the model
     * @param input the input the block sees
     * @return named maps, e.g. {@code channel} or {@code spatial}
     */
    Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input);
}
