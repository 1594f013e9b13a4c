package org.attnfer.attention.eca.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/**
 * Registers ECA. The kernel size follows the paper's adaptive formula unless {@code k_size} fixes
 * it (the official ResNet50 checkpoint uses 3, 5, 5, 7 per stage).
 */
@Component(service = AttentionModule.class)
public final class EfficientChannelAttentionModule implements AttentionModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "eca",
            "ECA (efficient channel attention)",
            "Wang, Wu, Zhu, Li, Zuo, Hu. ECA-Net: Efficient Channel Attention for Deep Convolutional Neural Networks. "
                    + "CVPR 2020",
            "bottleneck.after_bn3",
            List.of(),
            List.of(
                    ParamSpec.ofInt("k_size", null, "a fixed odd kernel size instead of the adaptive one")
                            .atLeast(1),
                    ParamSpec.ofDouble("gamma", 2.0, "γ of the adaptive kernel size")
                            .greaterThan(0),
                    ParamSpec.ofDouble("b", 1.0, "b of the adaptive kernel size")));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int channels, Params params, Site site) {
        int k = params.has("k_size")
                ? params.getInt("k_size")
                : EfficientChannelAttention.adaptiveKernel(channels, params.getDouble("gamma"), params.getDouble("b"));
        if (k % 2 == 0) {
            throw new IllegalArgumentException("k_size must be odd (the padding is symmetric), got " + k);
        }
        return new EfficientChannelAttention(k);
    }
}
