package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.attnfer.composer.ModuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer plugins}: the plug-in bundles of {@code plugins/}. */
@Command(
        name = "plugins",
        description = {
            "Manage plug-ins: bundles in the distribution's plugins/ folder, installed at every start",
            "(and while it runs, by `fer watch`)."
        },
        subcommands = {PluginsCommand.ListPlugins.class, PluginsCommand.Install.class, PluginsCommand.Remove.class})
final class PluginsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Path folder(Framework framework) {
        return Path.of(
                framework.property("attnfer.home").orElseThrow(() -> new IllegalStateException("no distribution home")),
                "plugins");
    }

    /** {@code fer plugins list}. */
    @Command(name = "list", description = "List the installed plug-ins and their states.")
    static final class ListPlugins implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private final Framework framework;

        @Inject
        ListPlugins(Framework framework) {
            this.framework = framework;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (framework.plugins().isEmpty()) {
                out.println("No plug-ins in " + folder(framework));
                return 0;
            }
            Table t = new Table("BUNDLE", "VERSION", "STATE", "FILE");
            framework
                    .plugins()
                    .forEach(p -> t.row(
                            p.name(),
                            p.version(),
                            p.state(),
                            Path.of(URI.create(p.location())).getFileName()));
            t.print(out);
            return 0;
        }
    }

    /** {@code fer plugins install}. */
    @Command(
            name = "install",
            description = {
                "Check a plug-in jar in the running framework, then copy it into plugins/. A jar of a plug-in",
                "that is installed already (the same symbolic name, any version) replaces it: the loop of",
                "edit, build, install. A plug-in whose module id another bundle has is refused."
            })
    static final class Install implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JAR", description = "The plug-in bundle.")
        Path jar;

        @Spec
        CommandSpec spec;

        private final Framework framework;
        private final ModuleRegistry registry;

        @Inject
        Install(Framework framework, ModuleRegistry registry) {
            this.framework = framework;
            this.registry = registry;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such file: " + jar);
            }
            Optional<String> notABundle = notABundle(jar);
            if (notABundle.isPresent()) {
                throw new IllegalArgumentException(jar.getFileName() + " cannot be installed: " + notABundle.get());
            }
            String name = symbolicName(jar);
            List<Framework.Plugin> replaced = framework.plugins().stream()
                    .filter(p -> p.name().equals(name))
                    .toList();
            Optional<String> problem = framework.trial(
                    jar,
                    () -> registry.conflicts().stream()
                            .filter(c -> c.contains(" of " + name + " "))
                            .findFirst()
                            .map(c -> "its module " + c.replace("; ignored", "")
                                    + " (give the module another id, or remove the other plug-in first)"));
            if (problem.isPresent()) {
                throw new IllegalArgumentException(jar.getFileName() + " cannot be installed: " + problem.get());
            }
            Path folder = folder(framework);
            Path target = folder.resolve(jar.getFileName());
            Files.createDirectories(folder);
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            PrintWriter out = spec.commandLine().getOut();
            for (Framework.Plugin p : replaced) {
                Path old = Path.of(URI.create(p.location()));
                if (!old.equals(target)) {
                    Files.deleteIfExists(old);
                }
                out.println("Replaced " + p.name() + " " + p.version() + " (" + old.getFileName() + ") with "
                        + jar.getFileName() + ".");
            }
            out.println("Installed " + jar.getFileName() + " into " + folder
                    + "; it is loaded from the next command on (or at once by a running `fer watch`).");
            return 0;
        }

        private static String symbolicName(Path jar) throws IOException {
            try (JarFile file = new JarFile(jar.toFile())) {
                return file.getManifest()
                        .getMainAttributes()
                        .getValue("Bundle-SymbolicName")
                        .split(";", -1)[0]
                        .strip();
            }
        }

        /** Why a file cannot be a bundle, before the framework tries it: a bundle is a jar whose manifest names it. */
        static Optional<String> notABundle(Path jar) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                    return Optional.of("not an OSGi bundle (its manifest has no Bundle-SymbolicName)");
                }
                return Optional.empty();
            } catch (IOException e) {
                return Optional.of("not a jar (" + e.getMessage() + ")");
            }
        }
    }

    /** {@code fer plugins remove}. */
    @Command(name = "remove", description = "Remove a plug-in jar from plugins/ by file name.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The jar's file name in plugins/.")
        String name;

        @Spec
        CommandSpec spec;

        private final Framework framework;

        @Inject
        Remove(Framework framework) {
            this.framework = framework;
        }

        @Override
        public Integer call() throws Exception {
            Path file = folder(framework).resolve(name).normalize();
            if (!file.getParent().equals(folder(framework).normalize()) || !Files.deleteIfExists(file)) {
                throw new IllegalArgumentException("no plug-in file " + name + " in " + folder(framework));
            }
            spec.commandLine().getOut().println("Removed " + file);
            return 0;
        }
    }
}
