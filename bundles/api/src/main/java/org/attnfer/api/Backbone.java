package org.attnfer.api;

import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A family of backbone networks with named hooks where modules go.
 *
 * <p>Parameter names follow the PyTorch state-dict names of the reference implementation (for
 * ResNet, torchvision's: {@code layer4.2.bn3.weight}), so that weights import by name.
 */
@ConsumerType
public interface Backbone {

    /** The family id ({@code resnet}). */
    String id();

    /** One sentence for help texts, with the paper. */
    String doc();

    /** The variant names it builds ({@code resnet18}, {@code resnet50}, ...). */
    List<String> variants();

    /** The stem variants it builds; the first is the default. */
    List<String> stems();

    /** Whether {@link #build} honours a {@link BackboneSpec#width()} other than 1. */
    default boolean scalesWidth() {
        return false;
    }

    /** Its hooks. */
    List<HookPoint> hooks();

    /**
     * The {@link HookNames shared hooks} this family does not have, each with the reason (for
     * ConvNeXt: "its blocks have no 3×3 convolution, only a 7×7 depthwise one"), so that a module
     * whose default place is one of them is refused with that reason.
     */
    default Map<String, String> missingHooks() {
        return Map.of();
    }

    /**
     * Builds a network; the returned block maps {@code [N,inChannels,H,W]} to logits {@code
     * [N,numClasses]}.
     *
     * @param spec what to build
     * @param insertions the modules to place at the hooks
     * @return the network
     */
    Block build(BackboneSpec spec, Insertions insertions);
}
