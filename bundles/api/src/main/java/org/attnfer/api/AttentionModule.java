package org.attnfer.api;

import ai.djl.nn.Block;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An attention module: a block that maps {@code [N,C,H,W]} to {@code [N,C,H,W]} (or, at a replace
 * hook such as {@code bottleneck.conv2}, to {@code [N,C',H/s,W/s]} as its {@link Site} asks).
 *
 * <p>Implementations are registered as OSGi services, usually with Declarative Services'
 * {@code @Component(service = AttentionModule.class)}. Following timm's convention, the factory
 * takes the channel count first and everything else by name.
 */
@ConsumerType
public interface AttentionModule {

    /** The module's id, documentation, default placement and parameters. */
    ModuleInfo info();

    /**
     * Builds one instance.
     *
     * @param channels the channel count at the module's input
     * @param params validated parameters (see {@link ModuleInfo#params()})
     * @param site where the block goes
     * @return a block whose parameter names follow the PyTorch state-dict names of the module
     * @throws IllegalArgumentException when the parameters do not suit this place
     */
    Block create(int channels, Params params, Site site);
}
