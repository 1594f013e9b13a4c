package org.attnfer.attention.acmix.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers ACmix, which replaces every block's 3×3 {@code conv2}, including its stride. */
@Component(service = AttentionModule.class)
public final class AcMixModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "acmix",
            "ACmix (self-attention and convolution)",
            "Pan, Ge, Lu, Song, Chen, Huang, Huang. On the Integration of Self-Attention and Convolution. CVPR 2022",
            "bottleneck.conv2",
            List.of(),
            List.of(
                    ParamSpec.ofInt("heads", 4, "attention heads; must divide the channels")
                            .atLeast(1),
                    ParamSpec.ofInt("k_att", 7, "side of the attention window (odd)")
                            .atLeast(1),
                    ParamSpec.ofInt("k_conv", 3, "side of the convolution path's kernel (odd)")
                            .atLeast(1)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        int heads = params.getInt("heads");
        int kAtt = params.getInt("k_att");
        int kConv = params.getInt("k_conv");
        if (channels % heads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must divide the channels (" + channels + ")");
        }
        if (kAtt % 2 == 0 || kConv % 2 == 0) {
            throw new IllegalArgumentException("k_att and k_conv must be odd, got " + kAtt + " and " + kConv);
        }
        if (site.outChannels() != channels) {
            throw new IllegalArgumentException(
                    "ACmix keeps the channel count, but this place maps " + channels + " to " + site.outChannels());
        }
        return new AcMix(channels, heads, kAtt, kConv, site.stride());
    }
}
