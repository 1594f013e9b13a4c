package org.example.triplet.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/** Registers triplet attention with AttnFER: after bn3 of every block by default. */
@Component(service = AttentionModule.class)
public final class TripletAttentionModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "triplet",
            "Triplet attention",
            "Misra, Nalamada, Arasanipalai, Hou. Rotate to Attend: Convolutional Triplet Attention Module. WACV 2021",
            "bottleneck.after_bn3",
            List.of(),
            List.of(ParamSpec.ofInt("kernel", 7, "side of each gate's convolution (odd)")
                    .atLeast(1)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        int kernel = params.getInt("kernel");
        if (kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel must be odd, got " + kernel);
        }
        return new TripletAttention(kernel);
    }
}
