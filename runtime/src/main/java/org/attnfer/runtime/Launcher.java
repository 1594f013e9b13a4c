package org.attnfer.runtime;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The host: starts an embedded Apache Felix framework, installs the bundles of the features a
 * command needs and the plug-ins of {@code plugins/}, hands the command line to the application
 * bundle, and always stops the framework.
 *
 * <p>The host knows no project type: the application is a service of the JDK type {@code
 * Function<String[], Integer>} with the property {@code attnfer.application=fer}. DJL, Guice and
 * the other libraries stay on the host class path and are exported to bundles through a package
 * list computed at build time. With the {@code watch} feature, Felix FileInstall installs, updates
 * and removes the plug-ins of {@code plugins/} while the framework runs.
 */
public final class Launcher {

    /** The property that marks the application service. */
    public static final String APPLICATION = "attnfer.application";

    private static final long SERVICE_WAIT_MS = 30_000;
    private static final String WATCH = "watch";

    private final Path home;
    private final PrintStream err;

    /**
     * @param home the distribution folder (with {@code bundles/}, {@code features/}, {@code plugins/}, {@code conf/})
     * @param err where launcher problems are reported
     */
    public Launcher(Path home, PrintStream err) {
        this.home = home;
        this.err = err;
    }

    /** Entry point of {@code bin/fer}. */
    public static void main(String[] args) {
        String home = System.getProperty("attnfer.home");
        if (home == null) {
            System.err.println("fer: the system property attnfer.home is not set (start AttnFER with bin/fer)");
            System.exit(1);
        }
        System.exit(new Launcher(Path.of(home), System.err).run(args));
    }

    /**
     * Runs one command.
     *
     * @return the command's exit code; 1 when the framework could not start it
     */
    public int run(String[] args) {
        try (Session session = start(command(args))) {
            return session.run(args);
        } catch (LaunchException e) {
            err.println("fer: " + e.getMessage());
            return 1;
        }
    }

    /** A running framework with the application in it. */
    public final class Session implements AutoCloseable {
        private final Framework framework;
        private final Path storage;
        private final Function<String[], Integer> application;
        private final Thread shutdownHook;

        private Session(Framework framework, Path storage, Function<String[], Integer> application) {
            this.framework = framework;
            this.storage = storage;
            this.application = application;
            // Ctrl-C ends long-running commands: stop the framework on the way out
            this.shutdownHook = new Thread(this::stop, "attnfer-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        /** Runs a command line in the application. */
        public int run(String[] args) {
            return application.apply(args);
        }

        /** The framework's context, to install or remove bundles. */
        public BundleContext context() {
            return framework.getBundleContext();
        }

        /** Installs and starts a plug-in jar, or says why not. */
        public Bundle install(Path jar) throws LaunchException {
            try {
                String problem = pluginProblem(jar, exports());
                if (problem != null) {
                    throw new LaunchException("plug-in " + jar.getFileName() + " refused: " + problem);
                }
                Bundle b = context().installBundle("reference:" + jar.toUri());
                b.start();
                return b;
            } catch (BundleException | IOException e) {
                throw new LaunchException("plug-in " + jar.getFileName() + " refused: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook does it
            }
            stop();
        }

        private void stop() {
            Launcher.this.stop(framework);
            deleteTree(storage);
        }
    }

    /**
     * Starts a framework with the features of a command and the plug-ins.
     *
     * @param command the command (decides the features)
     * @throws LaunchException when the installation is broken or the application does not come up
     */
    public Session start(String command) throws LaunchException {
        List<Feature> features;
        Properties conf;
        try {
            features = Feature.load(home.resolve("features"));
            conf = properties(home.resolve("conf/fer.properties"));
        } catch (IOException e) {
            throw new LaunchException("broken installation at " + home + ": " + e.getMessage());
        }
        List<Feature> wanted = wanted(features, conf, command);
        boolean watch = wanted.stream().anyMatch(f -> f.name().equals(WATCH));
        // DJL finds its engine through the context class loader of its first call: make that the host's
        Engine.getInstance();
        Path storage;
        try {
            storage = Files.createTempDirectory("attnfer-felix-");
        } catch (IOException e) {
            throw new LaunchException("cannot create the framework's storage folder: " + e.getMessage());
        }
        Framework framework = ServiceLoader.load(FrameworkFactory.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(config(storage, features, wanted, watch));
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = installFeatures(context, wanted);
            if (!watch) {
                bundles.addAll(installPlugins(context));
            }
            framework.start();
            startAll(bundles);
            return new Session(framework, storage, application(context));
        } catch (LaunchException | BundleException | IOException | RuntimeException e) {
            stop(framework);
            deleteTree(storage);
            if (e instanceof LaunchException l) {
                throw l;
            }
            throw new LaunchException("the framework could not start: " + e.getMessage());
        }
    }

    /** The first argument that is not an option. */
    static String command(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    private List<Feature> wanted(List<Feature> all, Properties conf, String command) {
        String names = conf.getProperty("features." + command, conf.getProperty("features.default", ""));
        Set<String> set = Stream.of(names.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        List<Feature> out = new ArrayList<>();
        for (String name : set) {
            all.stream()
                    .filter(f -> f.name().equals(name))
                    .findFirst()
                    .ifPresentOrElse(
                            out::add,
                            () -> err.println(
                                    "fer: conf/fer.properties names an unknown feature '" + name + "'; ignored"));
        }
        return out;
    }

    private Map<String, String> config(Path storage, List<Feature> features, List<Feature> wanted, boolean watch) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackages());
        config.put("felix.log.level", "1");
        config.put("ds.loglevel", "warn");
        config.put("attnfer.home", home.toString());
        if (watch) {
            config.put("felix.fileinstall.dir", home.resolve("plugins").toString());
            config.put("felix.fileinstall.poll", "1000");
            config.put("felix.fileinstall.noInitialDelay", "true");
            config.put("felix.fileinstall.log.level", "1");
        }
        // the application shows the features without parsing their files again
        config.put("attnfer.features", features.stream().map(Feature::name).collect(Collectors.joining(",")));
        config.put(
                "attnfer.features.installed", wanted.stream().map(Feature::name).collect(Collectors.joining(",")));
        for (Feature f : features) {
            config.put("attnfer.feature." + f.name(), String.join(",", f.bundles()));
            config.put("attnfer.feature." + f.name() + ".description", f.description());
        }
        return config;
    }

    private static String systemPackages() {
        try (InputStream in = Launcher.class.getResourceAsStream("system-packages.txt")) {
            if (in == null) {
                throw new IllegalStateException(
                        "system-packages.txt is missing from the launcher jar: rebuild with mvn package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .collect(Collectors.joining(","));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Bundle> installFeatures(BundleContext context, List<Feature> wanted)
            throws IOException, LaunchException {
        Map<String, Path> index = index(home.resolve("bundles"));
        List<Bundle> out = new ArrayList<>();
        for (Feature f : wanted) {
            for (String bsn : f.bundles()) {
                Path jar = index.get(bsn);
                if (jar == null) {
                    // the rest still runs: a command that needs what the bundle supplies will say so
                    err.println("fer: warning: feature '" + f.name() + "' lists bundle " + bsn + ", which is not in "
                            + home.resolve("bundles"));
                    continue;
                }
                try {
                    out.add(context.installBundle("reference:" + jar.toUri()));
                } catch (BundleException e) {
                    throw new LaunchException(
                            "bundle " + bsn + " (" + jar.getFileName() + ") could not be installed: " + e.getMessage());
                }
            }
        }
        return out;
    }

    private List<Bundle> installPlugins(BundleContext context) throws IOException {
        Path dir = home.resolve("plugins");
        List<Bundle> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        Map<String, Version> exports = exports();
        try (Stream<Path> jars = Files.list(dir)) {
            for (Path jar :
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                String problem = pluginProblem(jar, exports);
                if (problem != null) {
                    err.println("fer: plug-in " + jar.getFileName() + " skipped: " + problem);
                    continue;
                }
                try {
                    out.add(context.installBundle("reference:" + jar.toUri()));
                } catch (BundleException e) {
                    err.println("fer: plug-in " + jar.getFileName() + " skipped: " + e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * The versions of the packages this runtime provides: the distribution's bundles, the class
     * path (the system packages) and every plug-in jar.
     */
    private Map<String, Version> exports() throws IOException {
        Map<String, Version> out = new LinkedHashMap<>();
        List<Path> jars = new ArrayList<>(index(home.resolve("bundles")).values());
        Path plugins = home.resolve("plugins");
        if (Files.isDirectory(plugins)) {
            try (Stream<Path> list = Files.list(plugins)) {
                list.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                String header = file.getManifest() == null
                        ? null
                        : file.getManifest().getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
                if (header != null) {
                    addExports(header, out);
                }
            } catch (IOException e) {
                // an unreadable plug-in is reported as such when it is installed
            }
        }
        addExports(systemPackages(), out);
        return out;
    }

    private static void addExports(String header, Map<String, Version> out) {
        Headers.parse(header)
                .forEach(
                        (pkg, attrs) -> out.putIfAbsent(pkg, Version.parseVersion(attrs.getOrDefault("version", "0"))));
    }

    /** Packages of the Java platform and of the framework itself, which the system bundle provides. */
    private static boolean platform(String pkg) {
        return pkg.startsWith("java.")
                || pkg.startsWith("javax.")
                || pkg.startsWith("org.w3c.")
                || pkg.startsWith("org.xml.")
                || pkg.startsWith("org.ietf.")
                || pkg.startsWith("org.osgi.")
                || pkg.startsWith("jdk.")
                || pkg.startsWith("sun.")
                || pkg.startsWith("com.sun.");
    }

    /**
     * Why a jar cannot be a plug-in, or {@code null}: not a bundle, or built against AttnFER
     * packages this runtime does not provide in a fitting version.
     */
    static String pluginProblem(Path jar, Map<String, Version> exports) {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException e) {
            return "not a readable jar (" + e.getMessage() + ")";
        }
        if (manifest == null || manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
            return "not an OSGi bundle (no Bundle-SymbolicName in its manifest)";
        }
        String imports = manifest.getMainAttributes().getValue(Constants.IMPORT_PACKAGE);
        if (imports == null) {
            return null;
        }
        for (Map.Entry<String, Map<String, String>> e : Headers.parse(imports).entrySet()) {
            String pkg = e.getKey();
            if ("optional".equals(e.getValue().get("resolution:")) || (platform(pkg) && !exports.containsKey(pkg))) {
                continue;
            }
            VersionRange range = new VersionRange(e.getValue().getOrDefault("version", "0"));
            Version provided = exports.get(pkg);
            if (provided == null) {
                return "it needs package " + pkg + ", which neither this runtime nor another plug-in provides";
            }
            if (!pkg.startsWith("org.attnfer.") && !range.includes(provided)) {
                return "it needs package " + pkg + " " + range + ", but the version here is " + provided;
            }
            if (!range.includes(provided)) {
                return "it was built for " + pkg + " " + range + ", but this runtime provides " + provided
                        + " (rebuild the plug-in against this AttnFER)";
            }
        }
        return null;
    }

    private void startAll(List<Bundle> bundles) {
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                err.println("fer: bundle " + b.getSymbolicName() + " " + b.getVersion() + " did not start: "
                        + e.getMessage());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<String[], Integer> application(BundleContext context) throws LaunchException {
        try {
            Filter filter =
                    context.createFilter("(&(objectClass=" + Function.class.getName() + ")(" + APPLICATION + "=fer))");
            ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, filter, null);
            tracker.open();
            Object app = tracker.waitForService(SERVICE_WAIT_MS);
            if (app == null) {
                throw new LaunchException(
                        "the application bundle (org.attnfer.cli) did not come up; bundle states: " + states(context));
            }
            return (Function<String[], Integer>) app;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for the application");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String states(BundleContext context) {
        return Stream.of(context.getBundles())
                .filter(b -> b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + "="
                        + (b.getState() == Bundle.RESOLVED
                                ? "resolved"
                                : b.getState() == Bundle.INSTALLED ? "unresolved" : String.valueOf(b.getState())))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static Map<String, Path> index(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> jars = Files.list(dir)) {
            for (Path jar :
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    String bsn = file.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                    if (bsn != null) {
                        out.put(bsn.split(";", -1)[0].strip(), jar);
                    }
                }
            }
        }
        return out;
    }

    private void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException e) {
            err.println("fer: the framework did not stop cleanly: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }

    /** A launch problem with a message for the user. */
    public static final class LaunchException extends Exception {
        private static final long serialVersionUID = 1L;

        LaunchException(String message) {
            super(message);
        }
    }
}
