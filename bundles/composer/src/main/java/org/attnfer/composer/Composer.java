package org.attnfer.composer;

import ai.djl.nn.Block;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.Backbone;
import org.attnfer.api.BackboneSpec;
import org.attnfer.api.HookKind;
import org.attnfer.api.HookPoint;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.Params;
import org.attnfer.api.SamplingModule;
import org.attnfer.api.Site;

/**
 * Composes networks: resolves the backbone and every module through the {@link ModuleRegistry},
 * validates hooks, stages and parameters, and asks the backbone to build with the modules at their
 * sites. Every problem is reported before any tensor is allocated.
 */
@Singleton
public class Composer {

    private final ModuleRegistry registry;

    /** Creates a composer on a registry. */
    @Inject
    public Composer(ModuleRegistry registry) {
        this.registry = registry;
    }

    /** The registry it composes from. */
    public ModuleRegistry registry() {
        return registry;
    }

    /**
     * Composes a model.
     *
     * @param spec the model
     * @param inChannels input channels (1 or 3)
     * @param numClasses output classes
     * @return the composition
     * @throws CompositionException naming the model and the module or setting at fault
     */
    public Composition compose(ModelSpec spec, int inChannels, int numClasses) {
        String model = spec.shorthand();
        Registered<Backbone> backbone = registry.backboneFor(spec.backbone())
                .orElseThrow(() -> new CompositionException(
                        "model '" + model + "': unknown backbone '" + spec.backbone() + "' (known: "
                                + String.join(
                                        ", ",
                                        registry.backbones().stream()
                                                .flatMap(b -> b.service().variants().stream())
                                                .toList())
                                + ")"));
        Backbone bb = backbone.service();
        String stem = spec.stem() == null ? bb.stems().get(0) : spec.stem();
        if (!bb.stems().contains(stem)) {
            throw new CompositionException("model '" + model + "': unknown stem '" + stem + "' (known: "
                    + String.join(", ", bb.stems()) + ")");
        }
        if (spec.width() != 1 && !bb.scalesWidth()) {
            throw new CompositionException("model '" + model + "': backbone " + bb.id()
                    + " has no width setting (width " + spec.width() + ")");
        }
        Map<String, HookPoint> hooks = new LinkedHashMap<>();
        bb.hooks().forEach(h -> hooks.put(h.name(), h));
        List<Resolved> resolved = new ArrayList<>();
        for (ModuleUse use : spec.modules()) {
            resolved.add(resolve(model, use, hooks, bb.missingHooks()));
        }
        checkReplacementsDoNotOverlap(model, resolved);
        BackboneSpec backboneSpec = new BackboneSpec(spec.backbone(), inChannels, numClasses, stem, spec.width());
        Placing placing = new Placing(model, resolved);
        Block block;
        try {
            block = bb.build(backboneSpec, placing);
        } catch (CompositionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CompositionException(
                    "model '" + model + "': backbone " + bb.id() + " (" + backbone.origin() + ") failed: "
                            + e.getMessage(),
                    e);
        }
        List<ModuleUse> explicit = resolved.stream()
                .map(r -> new ModuleUse(r.info.id(), r.hook.name(), r.stages, r.params.values()))
                .toList();
        List<String> placements = resolved.stream()
                .map(r -> r.info.id() + " at " + r.hook.name() + " stages " + r.stages + ": " + placing.count(r)
                        + " sites")
                .toList();
        return new Composition(
                new ModelSpec(spec.backbone(), stem, explicit, spec.width()), backboneSpec, block, placements);
    }

    /** Parses a shorthand and composes it. */
    public Composition compose(String shorthand, int inChannels, int numClasses) {
        return compose(ModelNames.parse(shorthand), inChannels, numClasses);
    }

    private Resolved resolve(String model, ModuleUse use, Map<String, HookPoint> hooks, Map<String, String> missing) {
        Optional<Registered<AttentionModule>> attention = registry.attention(use.id());
        Optional<Registered<SamplingModule>> sampling = registry.sampling(use.id());
        if (attention.isEmpty() && sampling.isEmpty()) {
            throw new CompositionException("model '" + model + "': unknown module '" + use.id() + "' (known: "
                    + String.join(", ", registry.moduleIds())
                    + "). Is the bundle that provides it installed (see `fer modules`, `fer features`, plugins/)?");
        }
        ModuleInfo info = attention
                .map(r -> r.service().info())
                .orElseGet(() -> sampling.get().service().info());
        String origin =
                attention.map(Registered::origin).orElseGet(() -> sampling.get().origin());
        String hookName = use.hook() == null ? info.defaultHook() : use.hook();
        HookPoint hook = hooks.get(hookName);
        if (hook == null && missing.containsKey(hookName)) {
            throw new CompositionException("model '" + model + "': module '" + use.id() + "' cannot go to '"
                    + hookName + "': " + missing.get(hookName)
                    + " (hooks: " + String.join(", ", hooks.keySet()) + ")");
        }
        if (hook == null) {
            throw new CompositionException(
                    "model '" + model + "': module '" + use.id() + "': the backbone has no hook '" + hookName
                            + "' (hooks: " + String.join(", ", hooks.keySet()) + ")");
        }
        if (sampling.isPresent() && hook.kind() != HookKind.REPLACE) {
            throw new CompositionException("model '" + model + "': sampling module '" + use.id()
                    + "' changes resolution and can only replace a layer; '" + hookName + "' is an insert hook");
        }
        List<Integer> stages = use.stages().isEmpty()
                ? (info.defaultStages().isEmpty() || use.hook() != null ? hook.stages() : info.defaultStages())
                : use.stages();
        for (int s : stages) {
            if (!hook.stages().contains(s)) {
                throw new CompositionException("model '" + model + "': module '" + use.id() + "': hook '" + hookName
                        + "' has no stage " + s + " (stages: " + hook.stages() + ")");
            }
        }
        Params params;
        try {
            params = info.validate(use.params());
        } catch (IllegalArgumentException e) {
            throw new CompositionException("model '" + model + "': module '" + use.id() + "': " + e.getMessage(), e);
        }
        return new Resolved(info, origin, hook, List.copyOf(new TreeSet<>(stages)), params, attention, sampling);
    }

    private static void checkReplacementsDoNotOverlap(String model, List<Resolved> resolved) {
        for (int i = 0; i < resolved.size(); i++) {
            for (int j = i + 1; j < resolved.size(); j++) {
                Resolved a = resolved.get(i);
                Resolved b = resolved.get(j);
                if (a.hook.kind() == HookKind.REPLACE
                        && a.hook.equals(b.hook)
                        && a.stages.stream().anyMatch(b.stages::contains)) {
                    throw new CompositionException("model '" + model + "': modules '" + a.info.id() + "' and '"
                            + b.info.id() + "' both replace '" + a.hook.name() + "' in the same stages");
                }
            }
        }
    }

    /** A validated module use. */
    private record Resolved(
            ModuleInfo info,
            String origin,
            HookPoint hook,
            List<Integer> stages,
            Params params,
            Optional<Registered<AttentionModule>> attention,
            Optional<Registered<SamplingModule>> sampling) {

        boolean at(Site site) {
            return hook.name().equals(site.hook()) && stages.contains(site.stage());
        }

        Block create(String model, Site site) {
            try {
                Block block = attention.isPresent()
                        ? attention.get().service().create(site.channels(), params, site)
                        : sampling.get().service().create(site.channels(), params, site);
                if (block == null) {
                    throw new IllegalStateException("the factory returned no block");
                }
                return block;
            } catch (RuntimeException e) {
                throw new CompositionException(
                        "model '" + model + "': module '" + info.id() + "' (" + origin + ") at " + site.describe()
                                + ": " + e.getMessage(),
                        e);
            }
        }
    }

    /** The insertions a backbone sees: each site gets the modules whose hook and stages match. */
    private static final class Placing implements Insertions {
        private final String model;
        private final List<Resolved> resolved;
        private final IdentityHashMap<Resolved, Integer> counts = new IdentityHashMap<>();

        Placing(String model, List<Resolved> resolved) {
            this.model = model;
            this.resolved = resolved;
        }

        int count(Resolved r) {
            return counts.getOrDefault(r, 0);
        }

        @Override
        public List<Insert> insert(Site site) {
            List<Insert> out = new ArrayList<>();
            for (Resolved r : resolved) {
                if (r.hook.kind() == HookKind.INSERT && r.at(site)) {
                    counts.merge(r, 1, Integer::sum);
                    // stage-level modules are named per stage (bam1, bam2), as in the reference
                    String name = site.block() < 0 && site.stage() > 0 ? r.info.id() + site.stage() : r.info.id();
                    out.add(new Insert(name, r.create(model, site)));
                }
            }
            return out;
        }

        @Override
        public Optional<Block> replace(Site site) {
            for (Resolved r : resolved) {
                if (r.hook.kind() == HookKind.REPLACE && r.at(site)) {
                    counts.merge(r, 1, Integer::sum);
                    return Optional.of(r.create(model, site));
                }
            }
            return Optional.empty();
        }
    }
}
