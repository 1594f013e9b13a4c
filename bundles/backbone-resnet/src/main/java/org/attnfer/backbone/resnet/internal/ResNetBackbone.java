package org.attnfer.backbone.resnet.internal;

import ai.djl.nn.Block;
import java.util.List;
import org.attnfer.api.Backbone;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookPoint;
import org.attnfer.api.Insertions;
import org.attnfer.backbone.resnet.Hooks;
import org.attnfer.backbone.resnet.ResNet;
import org.attnfer.backbone.resnet.Variant;
import org.osgi.service.component.annotations.Component;

/** Registers the ResNet family as a {@link Backbone} service. */
@Component(service = Backbone.class)
public final class ResNetBackbone implements Backbone {

    @Override
    public String id() {
        return "resnet";
    }

    @Override
    public String doc() {
        return "ResNet18/34/50/101, torchvision v1.5 layout"
                + " (He et al., Deep Residual Learning for Image Recognition, CVPR 2016)";
    }

    @Override
    public List<String> variants() {
        return Variant.ids();
    }

    @Override
    public List<String> stems() {
        return List.of(ResNet.STEM_STANDARD, ResNet.STEM_SMALL, ResNet.STEM_HALF);
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
    public Block build(BackboneSpec spec, Insertions insertions) {
        return new ResNet(spec, insertions);
    }
}
