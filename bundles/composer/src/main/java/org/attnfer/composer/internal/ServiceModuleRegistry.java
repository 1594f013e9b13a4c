package org.attnfer.composer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.Backbone;
import org.attnfer.api.SamplingModule;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.composer.Registered;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The registry of the running framework: Declarative Services binds and unbinds every module and
 * backbone service as bundles come and go. When two bundles register the same id, the first one
 * stays in use and the conflict is recorded.
 */
@Component(service = ModuleRegistry.class)
public final class ServiceModuleRegistry implements ModuleRegistry {

    private final List<Entry<AttentionModule>> attention = new CopyOnWriteArrayList<>();
    private final List<Entry<SamplingModule>> sampling = new CopyOnWriteArrayList<>();
    private final List<Entry<Backbone>> backbones = new CopyOnWriteArrayList<>();

    private record Entry<T>(ServiceReference<?> ref, Registered<T> registered) {}

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAttention(AttentionModule module, ServiceReference<AttentionModule> ref) {
        attention.add(new Entry<>(ref, registered(module, ref)));
    }

    void removeAttention(ServiceReference<AttentionModule> ref) {
        attention.removeIf(e -> e.ref.equals(ref));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSampling(SamplingModule module, ServiceReference<SamplingModule> ref) {
        sampling.add(new Entry<>(ref, registered(module, ref)));
    }

    void removeSampling(ServiceReference<SamplingModule> ref) {
        sampling.removeIf(e -> e.ref.equals(ref));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBackbone(Backbone backbone, ServiceReference<Backbone> ref) {
        backbones.add(new Entry<>(ref, registered(backbone, ref)));
    }

    void removeBackbone(ServiceReference<Backbone> ref) {
        backbones.removeIf(e -> e.ref.equals(ref));
    }

    @Override
    public List<Registered<AttentionModule>> attentionModules() {
        return unique(attention, m -> m.info().id());
    }

    @Override
    public List<Registered<SamplingModule>> samplingModules() {
        return unique(sampling, m -> m.info().id());
    }

    @Override
    public List<Registered<Backbone>> backbones() {
        return unique(backbones, Backbone::id);
    }

    @Override
    public List<String> conflicts() {
        List<String> out = new ArrayList<>();
        conflicts(attention, m -> m.info().id(), out);
        conflicts(sampling, m -> m.info().id(), out);
        conflicts(backbones, Backbone::id, out);
        return out;
    }

    private static <T> List<Registered<T>> unique(List<Entry<T>> entries, Function<T, String> id) {
        List<Registered<T>> out = new ArrayList<>();
        for (Entry<T> e : entries) {
            String key = id.apply(e.registered.service());
            if (out.stream().noneMatch(r -> id.apply(r.service()).equals(key))) {
                out.add(e.registered);
            }
        }
        return out;
    }

    private static <T> void conflicts(List<Entry<T>> entries, Function<T, String> id, List<String> out) {
        List<Registered<T>> kept = unique(entries, id);
        for (Entry<T> e : entries) {
            String key = id.apply(e.registered.service());
            Registered<T> first = kept.stream()
                    .filter(r -> id.apply(r.service()).equals(key))
                    .findFirst()
                    .orElseThrow();
            if (!first.equals(e.registered)) {
                out.add("id '" + key + "' of " + e.registered.origin() + " is already registered by " + first.origin()
                        + "; ignored");
            }
        }
    }

    private static <T> Registered<T> registered(T service, ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        return new Registered<>(service, b.getSymbolicName(), b.getVersion().toString());
    }
}
