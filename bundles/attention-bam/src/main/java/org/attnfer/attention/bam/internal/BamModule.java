package org.attnfer.attention.bam.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers BAM, after the outputs of stages 1 to 3 by default (as in the official ResNet). */
@Component(service = AttentionModule.class)
public final class BamModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "bam",
            "BAM (bottleneck attention module)",
            "Park, Woo, Lee, Kweon. BAM: Bottleneck Attention Module. BMVC 2018",
            "stage_end",
            List.of(1, 2, 3),
            List.of(
                    ParamSpec.ofInt("reduction", 16, "reduction ratio r of both gates (hidden size ⌊C/r⌋)")
                            .atLeast(1),
                    ParamSpec.ofInt("dilation", 4, "dilation of the spatial gate's 3×3 convolutions")
                            .atLeast(1),
                    ParamSpec.ofChoice(
                            "combine",
                            List.of("product", "sum"),
                            "how the gates combine: product (official code) or sum (paper)")));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        return new Bam(
                channels,
                params.getInt("reduction"),
                params.getInt("dilation"),
                params.getString("combine").equals("sum"));
    }
}
