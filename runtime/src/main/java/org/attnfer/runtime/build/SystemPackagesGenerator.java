package org.attnfer.runtime.build;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.attnfer.runtime.Headers;

/**
 * Build step: computes the packages the host exports to bundles
 * ({@code org.osgi.framework.system.packages.extra}) from the jars of the host class path, so
 * that the list is never typed by hand. A jar that is itself a bundle contributes its exported
 * packages with their versions; any other jar contributes every package that holds classes,
 * without a version.
 *
 * <p>Arguments: the output file, then the jar-name prefixes to leave out (the OSGi framework
 * exports its own packages).
 */
public final class SystemPackagesGenerator {

    private SystemPackagesGenerator() {}

    /** Runs the step. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Map<String, String> packages = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
            Path jar = Path.of(entry);
            String name = jar.getFileName().toString();
            if (!name.endsWith(".jar") || excluded(name, args)) {
                continue;
            }
            collect(jar, packages);
        }
        StringBuilder sb = new StringBuilder();
        packages.forEach((pkg, version) -> sb.append(pkg)
                .append(version.isEmpty() ? "" : ";version=" + version)
                .append('\n'));
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
        System.out.println("system packages: " + packages.size() + " → " + out);
    }

    private static boolean excluded(String jarName, String[] args) {
        for (int i = 1; i < args.length; i++) {
            if (jarName.startsWith(args[i])) {
                return true;
            }
        }
        return false;
    }

    private static void collect(Path jar, Map<String, String> packages) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String exports =
                    manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (exports != null
                    && manifest.getMainAttributes().getValue(new Attributes.Name("Bundle-SymbolicName")) != null) {
                Headers.parse(exports).forEach((pkg, attrs) -> packages.put(pkg, attrs.getOrDefault("version", "")));
                return;
            }
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                int slash = name.lastIndexOf('/');
                if (name.endsWith(".class") && slash > 0 && !name.startsWith("META-INF/")) {
                    packages.putIfAbsent(name.substring(0, slash).replace('/', '.'), "");
                }
            }
        }
    }
}
