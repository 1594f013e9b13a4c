package org.attnfer.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network that names the layer whose output Grad-CAM (Selvaraju et al., ICCV 2017) explains by
 * default: usually the last block of its last stage, the deepest map that still has a spatial
 * extent. Backbones implement it on the block {@link Backbone#build} returns.
 */
@ConsumerType
public interface Explainable {

    /** The block name, as in the state dict ({@code layer4.2}, {@code features.18}). */
    String gradCamLayer();
}
