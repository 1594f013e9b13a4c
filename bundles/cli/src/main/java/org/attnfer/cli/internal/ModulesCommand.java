package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.api.Backbone;
import org.attnfer.api.ModuleInfo;
import org.attnfer.api.ParamSpec;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.composer.Registered;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fer modules}: the modules and backbones the running bundles supply. */
@Command(
        name = "modules",
        description =
                "List the attention and sampling modules and backbones, with the bundle that supplies each and its "
                        + "parameters.")
final class ModulesCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final ModuleRegistry registry;

    @Inject
    ModulesCommand(ModuleRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        registry.attentionModules()
                .forEach(r -> rows.add(new Row("attention", r.service().info(), r)));
        registry.samplingModules()
                .forEach(r -> rows.add(new Row("sampling", r.service().info(), r)));
        rows.sort(Comparator.comparing(r -> r.info.id()));
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("modules", rows.stream().map(Row::toMap).toList());
            doc.put(
                    "backbones",
                    registry.backbones().stream().map(ModulesCommand::backbone).toList());
            doc.put("conflicts", registry.conflicts());
            Json.print(out, doc);
            return 0;
        }
        Table table = new Table("ID", "KIND", "DEFAULT HOOK", "BUNDLE", "VERSION", "TITLE");
        rows.forEach(r -> table.row(
                r.info.id(),
                r.kind,
                r.info.defaultHook() + (r.info.defaultStages().isEmpty() ? "" : " " + r.info.defaultStages()),
                r.origin.bundle(),
                r.origin.version(),
                r.info.title()));
        table.print(out);
        out.println();
        out.println("Parameters:");
        for (Row r : rows) {
            if (r.info.params().isEmpty()) {
                out.println("  " + r.info.id() + ": none");
            }
            for (ParamSpec p : r.info.params()) {
                out.println("  " + r.info.id() + "." + p.describe());
            }
        }
        out.println();
        out.println("Backbones:");
        for (Registered<Backbone> b : registry.backbones()) {
            out.println("  " + String.join(", ", b.service().variants()) + " (" + b.origin() + ")");
            out.println("    stems: " + String.join(", ", b.service().stems())
                    + (b.service().scalesWidth() ? "; width: any multiplier of the channels" : ""));
            b.service()
                    .hooks()
                    .forEach(h -> out.println("    hook " + h.name() + " ("
                            + h.kind().name().toLowerCase(Locale.ROOT) + ", stages " + h.stages() + "): " + h.doc()));
            b.service().missingHooks().forEach((hook, why) -> out.println("    no hook " + hook + ": " + why));
        }
        registry.conflicts().forEach(c -> out.println("warning: " + c));
        out.flush();
        return 0;
    }

    private static Map<String, Object> backbone(Registered<Backbone> b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.service().id());
        m.put("variants", b.service().variants());
        m.put("stems", b.service().stems());
        m.put("scales_width", b.service().scalesWidth());
        m.put(
                "hooks",
                b.service().hooks().stream()
                        .map(h -> Map.of("name", h.name(), "kind", h.kind().name(), "stages", h.stages()))
                        .toList());
        m.put("missing_hooks", b.service().missingHooks());
        m.put("bundle", b.bundle());
        m.put("version", b.version());
        return m;
    }

    private record Row(String kind, ModuleInfo info, Registered<?> origin) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", info.id());
            m.put("kind", kind);
            m.put("title", info.title());
            m.put("paper", info.paper());
            m.put("bundle", origin.bundle());
            m.put("version", origin.version());
            m.put("default_hook", info.defaultHook());
            m.put("default_stages", info.defaultStages());
            List<Map<String, Object>> params = new ArrayList<>();
            for (ParamSpec p : info.params()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("name", p.name());
                pm.put("type", p.type().word());
                pm.put("default", p.defaultValue());
                pm.put("range", p.range());
                if (!p.choices().isEmpty()) {
                    pm.put("choices", p.choices());
                }
                pm.put("doc", p.doc());
                params.add(pm);
            }
            m.put("parameters", params);
            return m;
        }
    }
}
