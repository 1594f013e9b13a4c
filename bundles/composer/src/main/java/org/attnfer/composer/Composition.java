package org.attnfer.composer;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.BackboneSpec;

/**
 * A composed model.
 *
 * @param spec the model spec with every default made explicit
 * @param backbone what the backbone was asked to build
 * @param block the network, not yet initialised
 * @param placements where each module went, one line per module ({@code ca at bottleneck.after_bn3:
 *     16 sites})
 */
public record Composition(ModelSpec spec, BackboneSpec backbone, Block block, List<String> placements) {}
