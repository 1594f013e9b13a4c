package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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
                            Path.of(java.net.URI.create(p.location())).getFileName()));
            t.print(out);
            return 0;
        }
    }

    /** {@code fer plugins install}. */
    @Command(
            name = "install",
            description = "Check a plug-in jar in the running framework, then copy it into plugins/.")
    static final class Install implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JAR", description = "The plug-in bundle.")
        Path jar;

        @Spec
        CommandSpec spec;

        private final Framework framework;

        @Inject
        Install(Framework framework) {
            this.framework = framework;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such file: " + jar);
            }
            Optional<String> problem = notABundle(jar).or(() -> framework.trial(jar));
            if (problem.isPresent()) {
                throw new IllegalArgumentException(jar.getFileName() + " cannot be installed: " + problem.get());
            }
            Path target = folder(framework).resolve(jar.getFileName());
            Files.createDirectories(target.getParent());
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            spec.commandLine()
                    .getOut()
                    .println("Installed " + jar.getFileName() + " into " + target.getParent()
                            + "; it is loaded from the next command on (or at once by a running `fer watch`).");
            return 0;
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
