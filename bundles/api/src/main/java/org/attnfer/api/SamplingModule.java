package org.attnfer.api;

import ai.djl.nn.Block;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A sampling module: a block that changes resolution, such as the space-to-depth stem (SC) that
 * replaces ResNet's first strided convolution. It maps {@code [N,C,H,W]} to {@code
 * [N,site.outChannels(),⌈H/s⌉,⌈W/s⌉]} with {@code s = site.stride()}.
 */
@ConsumerType
public interface SamplingModule {

    /** The module's id, documentation, default placement and parameters. */
    ModuleInfo info();

    /**
     * Builds one instance.
     *
     * @param inChannels the channel count at the module's input
     * @param params validated parameters
     * @param site where the block goes, with the output channels and stride it must produce
     * @return the block
     * @throws IllegalArgumentException when the parameters do not suit this place
     */
    Block create(int inChannels, Params params, Site site);
}
