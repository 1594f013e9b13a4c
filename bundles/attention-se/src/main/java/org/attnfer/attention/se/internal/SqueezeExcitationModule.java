package org.attnfer.attention.se.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers SE, after {@code bn3} of every block by default. */
@Component(service = AttentionModule.class)
public final class SqueezeExcitationModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "se",
            "SE (squeeze-and-excitation)",
            "Hu, Shen, Sun. Squeeze-and-Excitation Networks. CVPR 2018",
            "bottleneck.after_bn3",
            List.of(),
            List.of(
                    ParamSpec.ofInt("reduction", 16, "reduction ratio r (hidden size ⌊C/r⌋, at least 1)")
                            .atLeast(1),
                    ParamSpec.ofBoolean(
                            "bias",
                            true,
                            "biases in both layers, as in the SENet prototxt; false as in the SimAM repository")));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        return new SqueezeExcitation(channels, params.getInt("reduction"), params.getBoolean("bias"));
    }
}
