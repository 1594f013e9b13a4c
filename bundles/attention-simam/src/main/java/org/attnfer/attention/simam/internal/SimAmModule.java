package org.attnfer.attention.simam.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/**
 * Registers SimAM. Default place: after {@code bn3}; the official SimAM-ResNet place is {@code bottleneck.after_conv2}.
 */
@Component(service = AttentionModule.class)
public final class SimAmModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "simam",
            "SimAM",
            "Yang, Zhang, Li, Xie. SimAM: A Simple, Parameter-Free Attention Module for Convolutional Neural "
                    + "Networks. ICML 2021",
            "bottleneck.after_bn3",
            List.of(),
            List.of(ParamSpec.ofDouble("lambda", 1e-4, "regulariser λ of the energy function")
                    .greaterThan(0)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        return new SimAm(params.getDouble("lambda"));
    }
}
