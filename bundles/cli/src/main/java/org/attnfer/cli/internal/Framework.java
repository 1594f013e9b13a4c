package org.attnfer.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/** What the command line needs to know about the running framework. */
interface Framework {

    /** A feature and the state of its bundles. */
    record FeatureState(String name, String description, boolean installed, List<String> bundles) {}

    /** The features of the distribution, each bundle with its state ({@code name version [active]}). */
    List<FeatureState> features();

    /** A framework property ({@code attnfer.home}). */
    Optional<String> property(String key);

    /**
     * A plug-in bundle of the running framework.
     *
     * @param name its symbolic name
     * @param version its version
     * @param state {@code active}, {@code resolved} or {@code unresolved}
     * @param location where it came from
     */
    record Plugin(String name, String version, String state, String location) {}

    /** The bundles installed from {@code plugins/}. */
    default List<Plugin> plugins() {
        return List.of();
    }

    /**
     * Installs a jar into the running framework to see whether it resolves and starts, then removes
     * it again. A plug-in of the same symbolic name is uninstalled from this command's framework
     * first (its file stays), so that a rebuild of an installed plug-in can be tried.
     *
     * @param whileActive a check made while the jar's bundle is active (its services registered)
     * @return the problem, or empty when it starts and the check finds nothing
     */
    default Optional<String> trial(Path jar, Supplier<Optional<String>> whileActive) {
        return Optional.of("there is no running framework to try it in");
    }

    /** Why an installed plug-in does not resolve, in words; empty when it starts now. */
    default Optional<String> diagnose(Plugin plugin) {
        return Optional.empty();
    }

    /** The framework of the runtime. */
    final class Osgi implements Framework {
        private final BundleContext context;

        Osgi(BundleContext context) {
            this.context = context;
        }

        @Override
        public Optional<String> property(String key) {
            return Optional.ofNullable(context.getProperty(key));
        }

        @Override
        public List<FeatureState> features() {
            List<String> installed = split(context.getProperty("attnfer.features.installed"));
            List<FeatureState> out = new ArrayList<>();
            for (String name : split(context.getProperty("attnfer.features"))) {
                List<String> bundles = new ArrayList<>();
                for (String bsn : split(context.getProperty("attnfer.feature." + name))) {
                    bundles.add(Arrays.stream(context.getBundles())
                            .filter(b -> bsn.equals(b.getSymbolicName()))
                            .findFirst()
                            .map(b -> bsn + " " + b.getVersion() + " [" + state(b) + "]")
                            .orElse(bsn + " [not installed]"));
                }
                out.add(new FeatureState(
                        name,
                        context.getProperty("attnfer.feature." + name + ".description"),
                        installed.contains(name),
                        bundles));
            }
            return out;
        }

        @Override
        public List<Plugin> plugins() {
            String dir = property("attnfer.home")
                    .map(h -> Path.of(h, "plugins").toUri().toString())
                    .orElse("-");
            List<Plugin> out = new ArrayList<>();
            for (Bundle b : context.getBundles()) {
                String location = b.getLocation().replaceFirst("^reference:", "");
                if (location.startsWith(dir) || location.startsWith(dir.replace("file:///", "file:/"))) {
                    out.add(new Plugin(b.getSymbolicName(), b.getVersion().toString(), state(b), location));
                }
            }
            return out;
        }

        @Override
        public Optional<String> trial(Path jar, Supplier<Optional<String>> whileActive) {
            Bundle b = null;
            try {
                String name = symbolicName(jar);
                for (Plugin p : plugins()) {
                    if (p.name().equals(name)) {
                        bundleAt(p.location()).uninstall();
                    }
                }
                b = context.installBundle("trial:" + jar.toAbsolutePath(), Files.newInputStream(jar));
                b.start();
                awaitServices(b);
                return whileActive.get();
            } catch (BundleException | IOException e) {
                return Optional.of(Problems.explain(e.getMessage()));
            } finally {
                if (b != null) {
                    try {
                        b.uninstall();
                    } catch (BundleException e) {
                        // it was never started: nothing holds it
                    }
                }
            }
        }

        @Override
        public Optional<String> diagnose(Plugin plugin) {
            try {
                bundleAt(plugin.location()).start();
                return Optional.empty();
            } catch (BundleException e) {
                return Optional.of(Problems.explain(e.getMessage()));
            }
        }

        /** Declarative Services registers a started bundle's components on its own thread: give it a moment. */
        private static void awaitServices(Bundle b) {
            if (b.getHeaders().get("Service-Component") == null) {
                return;
            }
            for (int i = 0; i < 100 && b.getRegisteredServices() == null; i++) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private Bundle bundleAt(String location) {
            for (Bundle b : context.getBundles()) {
                if (b.getLocation().replaceFirst("^reference:", "").equals(location)) {
                    return b;
                }
            }
            throw new IllegalStateException("no bundle at " + location);
        }

        private static String symbolicName(Path jar) throws IOException {
            try (JarFile file = new JarFile(jar.toFile())) {
                String bsn = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                return bsn == null ? "" : bsn.split(";", -1)[0].strip();
            }
        }

        private static List<String> split(String s) {
            return s == null || s.isBlank()
                    ? List.of()
                    : Arrays.stream(s.split(",")).map(String::strip).toList();
        }

        private static String state(Bundle b) {
            return switch (b.getState()) {
                case Bundle.ACTIVE -> "active";
                case Bundle.RESOLVED -> "resolved";
                case Bundle.INSTALLED -> "unresolved";
                case Bundle.STARTING -> "starting";
                default -> "state " + b.getState();
            };
        }
    }
}
