package org.attnfer.attention.ca.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers CA, CBAM's channel attention, after {@code bn3} of every block by default. */
@Component(service = AttentionModule.class)
public final class ChannelAttentionModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "ca",
            "CA (CBAM channel attention)",
            "Woo, Park, Lee, Kweon. CBAM: Convolutional Block Attention Module. ECCV 2018",
            "bottleneck.after_bn3",
            List.of(),
            List.of(
                    ParamSpec.ofInt(
                                    "reduction",
                                    16,
                                    "channel reduction ratio r of the shared MLP (hidden size ⌊C/r⌋, at least 1)")
                            .atLeast(1),
                    ParamSpec.ofBoolean(
                            "bias",
                            true,
                            "biases in the MLP, as in the official code; false for the bias-free variant")));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        return new ChannelAttention(channels, params.getInt("reduction"), params.getBoolean("bias"));
    }
}
