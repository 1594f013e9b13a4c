package org.attnfer.attention.coord.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers coordinate attention, after {@code bn3} of every block by default. */
@Component(service = AttentionModule.class)
public final class CoordinateAttentionModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "coord",
            "Coordinate attention",
            "Hou, Zhou, Feng. Coordinate Attention for Efficient Mobile Network Design. CVPR 2021",
            "bottleneck.after_bn3",
            List.of(),
            List.of(
                    ParamSpec.ofInt("reduction", 32, "reduction ratio r (hidden size max(min_mid, ⌊C/r⌋))")
                            .atLeast(1),
                    ParamSpec.ofInt("min_mid", 8, "the smallest hidden size").atLeast(1)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        return new CoordinateAttention(channels, params.getInt("reduction"), params.getInt("min_mid"));
    }
}
