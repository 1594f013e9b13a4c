package org.attnfer.sampling.sc.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.SamplingModule;
import org.attnfer.api.Site;
import org.attnfer.nn.Conv2d;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@code strided}, the downsampler SC replaces: a k×k convolution with the site's stride
 * (k = 7 is ResNet's own {@code conv1}), for ablations against SC with the same stem otherwise.
 */
@Component(service = SamplingModule.class)
public final class StridedModule implements SamplingModule {

    private static final ModuleInfo INFO = new ModuleInfo(
            "strided",
            "Strided convolution (the downsampler SC replaces)",
            "He, Zhang, Ren, Sun. Deep Residual Learning for Image Recognition. CVPR 2016",
            "stem.conv1",
            List.of(),
            List.of(ParamSpec.ofInt("kernel", 7, "side of the strided convolution (odd)")
                    .atLeast(1)));

    @Override
    public ModuleInfo info() {
        return INFO;
    }

    @Override
    public Block create(int inChannels, Params params, Site site) {
        int kernel = ScModule.oddKernel(params);
        return Conv2d.builder(inChannels, site.outChannels())
                .kernel(kernel)
                .stride(site.stride())
                .padding(kernel / 2)
                .bias(false)
                .build();
    }
}
