package org.attnfer.testkit;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.function.Supplier;
import org.attnfer.api.AttentionMaps;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.SamplingModule;
import org.attnfer.api.Site;

/** Module instances for tests, made through the module's own contract (validation included). */
public final class Modules {

    private Modules() {}

    /** An attention module at an insert site ({@code bottleneck.after_bn3} of {@code layer1.0}). */
    public static Block attention(AttentionModule m, int channels, Map<String, ?> raw) {
        return m.create(
                channels, m.info().validate(raw), Site.insert("bottleneck.after_bn3", 1, 0, channels, "layer1.0"));
    }

    /** An attention module in place of a block's {@code conv2} with the given stride. */
    public static Block replacing(AttentionModule m, int channels, int stride, Map<String, ?> raw) {
        return m.create(
                channels,
                m.info().validate(raw),
                new Site("bottleneck.conv2", 1, 0, channels, channels, stride, "layer1.0"));
    }

    /** A sampling module in place of the stem convolution: {@code inChannels → out}, stride 2. */
    public static Block sampling(SamplingModule m, int inChannels, int out, Map<String, ?> raw) {
        return m.create(inChannels, m.info().validate(raw), new Site("stem.conv1", 0, -1, inChannels, out, 2, ""));
    }

    /**
     * The conformance checks of every module: gradient flow, the input gradient against central
     * differences, save/load round trip, training mode, and, for modules that expose them, finite
     * attention maps.
     *
     * @param factory makes fresh instances
     * @param input an input shape
     * @param batchNorm whether the module holds BatchNorm layers
     */
    public static void conformance(Supplier<Block> factory, Shape input, boolean batchNorm) throws Exception {
        ModuleChecks.gradientFlow(factory.get(), input);
        ModuleChecks.inputGradient(factory.get(), input);
        ModuleChecks.saveLoadRoundTrip(factory, input);
        ModuleChecks.trainingMode(factory.get(), input, batchNorm);
        if (factory.get() instanceof AttentionMaps) {
            ModuleChecks.attentionMaps(factory.get(), input);
        }
    }
}
