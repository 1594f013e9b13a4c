package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.attnfer.api.AttentionModule;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.SamplingModule;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.composer.Registered;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fer watch}: keeps the framework running and follows plug-ins as they come and go. */
@Command(
        name = "watch",
        description = {
            "Keep running and follow the plug-ins: a jar dropped into plugins/ is installed, a changed jar",
            "updated and a removed jar uninstalled, without a restart (Felix FileInstall); every module that",
            "appears or disappears is printed. Stop with Ctrl-C."
        })
final class WatchCommand implements Callable<Integer> {

    @Option(
            names = "--for",
            paramLabel = "SECONDS",
            description = "Stop after this many seconds (default: until Ctrl-C).")
    Double seconds;

    @Spec
    CommandSpec spec;

    private final ModuleRegistry registry;
    private final Framework framework;

    @Inject
    WatchCommand(ModuleRegistry registry, Framework framework) {
        this.registry = registry;
        this.framework = framework;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Watching " + PluginsCommand.folder(framework) + " (Ctrl-C to stop)");
        Map<String, Registered<?>> modules = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        Set<String> conflicts = new HashSet<>();
        long end = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        boolean first = true;
        while (System.nanoTime() < end) {
            Map<String, Registered<?>> now = current();
            for (Map.Entry<String, Registered<?>> e : now.entrySet()) {
                Registered<?> before = modules.get(e.getKey());
                // a new service object is new code, even from a rebuild of the same version
                if (before == null || before.service() != e.getValue().service()) {
                    String mark = first ? "  " : before == null ? "+ " : "~ ";
                    out.println(mark + e.getKey() + " (" + e.getValue().origin() + ")" + describe(e.getValue()));
                }
            }
            for (String id : modules.keySet()) {
                if (!now.containsKey(id)) {
                    out.println("- " + id + " (" + modules.get(id).origin() + ")");
                }
            }
            for (Framework.Plugin p : framework.plugins()) {
                String key = p.name() + " " + p.version() + " " + p.location();
                if (p.state().equals("unresolved") && !problems.containsKey(key)) {
                    Optional<String> why = framework.diagnose(p);
                    problems.put(key, why.orElse(""));
                    why.ifPresent(w -> out.println("! plug-in " + p.name() + " " + p.version() + " ("
                            + Path.of(URI.create(p.location())).getFileName()
                            + ") does not resolve: " + w));
                }
            }
            // each conflict once, not at every poll
            registry.conflicts().stream().filter(conflicts::add).forEach(c -> out.println("! " + c));
            modules = now;
            first = false;
            out.flush();
            Thread.sleep(500);
        }
        return 0;
    }

    private Map<String, Registered<?>> current() {
        Map<String, Registered<?>> m = new LinkedHashMap<>();
        registry.attentionModules().forEach(r -> m.put(r.service().info().id(), r));
        registry.samplingModules().forEach(r -> m.put(r.service().info().id(), r));
        return m;
    }

    /** The parameters a module takes, as the loaded code declares them. */
    private static String describe(Registered<?> r) {
        List<ParamSpec> params = r.service() instanceof AttentionModule a
                ? a.info().params()
                : r.service() instanceof SamplingModule s ? s.info().params() : List.of();
        return params.isEmpty()
                ? ""
                : ": "
                        + String.join(
                                ", ",
                                params.stream()
                                        .map(p -> p.name() + "=" + p.defaultValue())
                                        .toList());
    }
}
