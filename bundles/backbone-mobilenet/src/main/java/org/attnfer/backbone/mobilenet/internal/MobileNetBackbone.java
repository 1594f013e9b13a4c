package org.attnfer.backbone.mobilenet.internal;

import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.attnfer.api.Backbone;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookPoint;
import org.attnfer.api.Insertions;
import org.attnfer.backbone.mobilenet.Hooks;
import org.attnfer.backbone.mobilenet.MobileNetV2;
import org.osgi.service.component.annotations.Component;

/** Registers MobileNetV2 as a {@link Backbone} service. */
@Component(service = Backbone.class)
public final class MobileNetBackbone implements Backbone {

    @Override
    public String id() {
        return "mobilenet";
    }

    @Override
    public String doc() {
        return "MobileNetV2, torchvision layout (Sandler et al., MobileNetV2: Inverted Residuals and Linear"
                + " Bottlenecks, CVPR 2018)";
    }

    @Override
    public List<String> variants() {
        return List.of(MobileNetV2.VARIANT);
    }

    @Override
    public List<String> stems() {
        return List.of(MobileNetV2.STEM_STANDARD);
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
        return new MobileNetV2(spec, insertions);
    }
}
