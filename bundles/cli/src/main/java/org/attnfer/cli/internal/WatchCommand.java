package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.attnfer.composer.ModuleRegistry;
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
        Map<String, String> modules = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        long end = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        boolean first = true;
        while (System.nanoTime() < end) {
            Map<String, String> now = current();
            for (Map.Entry<String, String> e : now.entrySet()) {
                if (!Objects.equals(modules.get(e.getKey()), e.getValue())) {
                    out.println((first ? "  " : "+ ") + e.getKey() + " (" + e.getValue() + ")");
                }
            }
            for (String id : modules.keySet()) {
                if (!now.containsKey(id)) {
                    out.println("- " + id + " (" + modules.get(id) + ")");
                }
            }
            for (Framework.Plugin p : framework.plugins()) {
                String key = p.name() + " " + p.version();
                if (p.state().equals("unresolved") && !problems.containsKey(key)) {
                    problems.put(key, p.state());
                    out.println("! plug-in " + key + " does not resolve: "
                            + framework
                                    .trial(java.nio.file.Path.of(java.net.URI.create(p.location())))
                                    .orElse("it starts when tried alone"));
                }
            }
            registry.conflicts().forEach(c -> out.println("! " + c));
            modules = now;
            first = false;
            out.flush();
            Thread.sleep(500);
        }
        return 0;
    }

    private Map<String, String> current() {
        Map<String, String> m = new LinkedHashMap<>();
        registry.attentionModules().forEach(r -> m.put(r.service().info().id(), r.origin()));
        registry.samplingModules().forEach(r -> m.put(r.service().info().id(), r.origin()));
        return m;
    }
}
