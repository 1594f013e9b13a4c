package org.attnfer.sampling.sc.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.SamplingModule;
import org.attnfer.api.Site;
import org.osgi.service.component.annotations.Component;

/**
 * Registers SC, the interval-sampling stem: space-to-depth then a k×k stride-1 convolution in
 * place of ResNet's 7×7 stride-2 {@code conv1}; the stem's BatchNorm, ReLU and max-pool stay.
 */
@Component(service = SamplingModule.class)
public final class ScModule implements SamplingModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "sc",
            "SC (interval sampling, space-to-depth)",
            "Sunkara, Luo. No More Strided Convolutions or Pooling: A New CNN Building Block for Low-Resolution "
                    + "Images and Small Objects. ECML PKDD 2022",
            "stem.conv1",
            List.of(),
            List.of(ParamSpec.ofInt("kernel", 3, "side of the convolution after space-to-depth (odd)")
                    .atLeast(1)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int inChannels, Params params, Site site) {
        int kernel = oddKernel(params);
        if (site.stride() != 2) {
            throw new IllegalArgumentException("SC replaces a stride-2 convolution; this place has stride "
                    + site.stride() + " (with the small stem, use the standard one)");
        }
        return new SpdConv(inChannels, site.outChannels(), kernel);
    }

    /** The {@code kernel} parameter, which must be odd so that padding k / 2 keeps the map centred. */
    static int oddKernel(Params params) {
        int kernel = params.getInt("kernel");
        if (kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel must be odd, got " + kernel);
        }
        return kernel;
    }
}
