package org.attnfer.backbone.convnext.internal;

import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.attnfer.api.Backbone;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookPoint;
import org.attnfer.api.Insertions;
import org.attnfer.backbone.convnext.ConvNeXt;
import org.attnfer.backbone.convnext.Hooks;
import org.osgi.service.component.annotations.Component;

/** Registers ConvNeXt-Tiny as a {@link Backbone} service. */
@Component(service = Backbone.class)
public final class ConvNeXtBackbone implements Backbone {

    @Override
    public String id() {
        return "convnext";
    }

    @Override
    public String doc() {
        return "ConvNeXt-Tiny, torchvision layout (Liu et al., A ConvNet for the 2020s, CVPR 2022)";
    }

    @Override
    public List<String> variants() {
        return List.of(ConvNeXt.VARIANT);
    }

    @Override
    public List<String> stems() {
        return List.of(ConvNeXt.STEM_STANDARD);
    }

    @Override
    public boolean scalesWidth() {
        return true;
    }

    @Override
    public List<HookPoint> hooks() {
        return Hooks.ALL;
    }

    @Override
    public Map<String, String> missingHooks() {
        return Hooks.MISSING;
    }

    @Override
    public Block build(BackboneSpec spec, Insertions insertions) {
        return new ConvNeXt(spec, insertions);
    }
}
