package org.attnfer.composer;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.Backbone;
import org.attnfer.api.SamplingModule;

/**
 * What modules and backbones are available now. In the runtime it follows the OSGi service
 * registry, so bundles that come and go are seen at once.
 */
public interface ModuleRegistry {

    /** Attention modules, by id. */
    List<Registered<AttentionModule>> attentionModules();

    /** Sampling modules, by id. */
    List<Registered<SamplingModule>> samplingModules();

    /** Backbone families. */
    List<Registered<Backbone>> backbones();

    /** Problems seen while registering (duplicate ids), for {@code fer modules} to show. */
    default List<String> conflicts() {
        return List.of();
    }

    /** An attention module by id. */
    default Optional<Registered<AttentionModule>> attention(String id) {
        return attentionModules().stream()
                .filter(r -> r.service().info().id().equals(id))
                .findFirst();
    }

    /** A sampling module by id. */
    default Optional<Registered<SamplingModule>> sampling(String id) {
        return samplingModules().stream()
                .filter(r -> r.service().info().id().equals(id))
                .findFirst();
    }

    /** The backbone family that builds a variant ({@code resnet50}). */
    default Optional<Registered<Backbone>> backboneFor(String variant) {
        return backbones().stream()
                .filter(r -> r.service().variants().contains(variant))
                .findFirst();
    }

    /** All module ids, sorted. */
    default List<String> moduleIds() {
        return Stream.concat(
                        attentionModules().stream().map(r -> r.service().info().id()),
                        samplingModules().stream().map(r -> r.service().info().id()))
                .sorted()
                .toList();
    }

    /** A fixed registry, for tests and tools that run without OSGi. */
    static ModuleRegistry of(List<AttentionModule> attention, List<SamplingModule> sampling, List<Backbone> backbones) {
        return new ModuleRegistry() {
            @Override
            public List<Registered<AttentionModule>> attentionModules() {
                return attention.stream()
                        .map(m -> new Registered<>(m, "built-in", "-"))
                        .toList();
            }

            @Override
            public List<Registered<SamplingModule>> samplingModules() {
                return sampling.stream()
                        .map(m -> new Registered<>(m, "built-in", "-"))
                        .toList();
            }

            @Override
            public List<Registered<Backbone>> backbones() {
                return backbones.stream()
                        .map(b -> new Registered<>(b, "built-in", "-"))
                        .toList();
            }
        };
    }
}
