package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The plug-in promise, end to end: the example project's bundle (examples/custom-attention, built
 * by this reactor) installed into a running framework, composed, trained a step, uninstalled; and
 * bad plug-ins refused with a message while the rest keeps working.
 */
class PluginIT {

    static final Path PLUGIN = Path.of(System.getProperty(
                    "attnfer.plugin", "../examples/custom-attention/target/triplet-attention-1.0.0.jar"))
            .toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A distribution whose plugins/ folder is empty and ours. */
    private Path home() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("dist"));
        for (String d : List.of("lib", "conf", "features", "bundles")) {
            Files.createSymbolicLink(home.resolve(d), DistributionIT.DIST.resolve(d));
        }
        Files.createDirectories(home.resolve("plugins"));
        return home;
    }

    private static String run(Launcher.Session session, String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(session.run(args)).as(String.join(" ", args)).isZero();
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(stdout);
        }
    }

    private static List<String> moduleIds(Launcher.Session session) throws IOException {
        return JSON.readTree(run(session, "modules", "--json")).path("modules").findValuesAsText("id");
    }

    @Test
    void installComposeTrainUninstall() throws Exception {
        Path home = home();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Launcher.Session session =
                new Launcher(home, new PrintStream(err, true, StandardCharsets.UTF_8)).start("modules")) {
            assertThat(moduleIds(session)).doesNotContain("triplet");
            Bundle plugin = session.install(PLUGIN);
            JsonNode modules = JSON.readTree(run(session, "modules", "--json")).path("modules");
            JsonNode triplet = null;
            for (JsonNode m : modules) {
                if (m.path("id").asText().equals("triplet")) {
                    triplet = m;
                }
            }
            assertThat(triplet).isNotNull();
            assertThat(triplet.path("bundle").asText()).isEqualTo("org.example.triplet-attention");
            assertThat(triplet.path("parameters").get(0).path("name").asText()).isEqualTo("kernel");
            // forward, backward and an update through the bundle's block
            JsonNode bench = JSON.readTree(run(
                    session,
                    "bench",
                    "train",
                    "resnet18+triplet",
                    "--input",
                    "1x32x32",
                    "--batch",
                    "4",
                    "--warmup",
                    "0",
                    "--steps",
                    "1",
                    "--json"));
            assertThat(bench.path("images_per_second").asDouble()).isPositive();
            JsonNode inspect =
                    JSON.readTree(run(session, "inspect", "resnet18+triplet", "--input", "1x32x32", "--json"));
            assertThat(inspect.path("params").asLong()).isEqualTo(11_173_831L + 8 * 300);
            plugin.uninstall();
            assertThat(moduleIds(session)).doesNotContain("triplet").contains("simam", "ca");
        }
    }

    @Test
    void backbonesArePluginsTooAndStoppingOneTakesOnlyItsModels() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Launcher.Session session =
                new Launcher(home(), new PrintStream(err, true, StandardCharsets.UTF_8)).start("modules")) {
            JsonNode backbones =
                    JSON.readTree(run(session, "modules", "--json")).path("backbones");
            List<String> all = new ArrayList<>();
            backbones.forEach(b -> b.path("variants").forEach(v -> all.add(v.asText())));
            assertThat(all).contains("resnet50", "mobilenet_v2", "convnext_tiny");
            JsonNode inspect = JSON.readTree(
                    run(session, "inspect", "convnext_tiny+simam", "--input", "3x224x224", "--classes", "7", "--json"));
            assertThat(inspect.path("params").asLong()).isEqualTo(27_825_511L);
            Bundle convnext = Stream.of(session.context().getBundles())
                    .filter(b -> b.getSymbolicName().equals("org.attnfer.backbone-convnext"))
                    .findFirst()
                    .orElseThrow();
            convnext.stop();
            String table = run(session, "modules");
            assertThat(table).doesNotContain("convnext_tiny").contains("mobilenet_v2", "resnet18");
            assertThat(session.run(new String[] {"inspect", "convnext_tiny+simam", "--input", "3x224x224"}))
                    .isNotZero();
            JsonNode mobile = JSON.readTree(
                    run(session, "inspect", "mobilenet_v2+ca", "--input", "3x224x224", "--classes", "7", "--json"));
            assertThat(mobile.path("params").asLong()).isGreaterThan(2_232_839L);
            convnext.start();
            assertThat(run(session, "modules")).contains("convnext_tiny");
        }
    }

    @Test
    void badPluginsAreNamedAndTheRestWorks() throws Exception {
        Path home = home();
        Path plugins = home.resolve("plugins");
        Files.writeString(plugins.resolve("notes.jar"), "not a zip");
        writeJar(plugins.resolve("plain.jar"), new Manifest());
        rewrite(plugins.resolve("future-api.jar"), "org.example.future", "org.attnfer.api;version=\"[2.0,3)\"");
        Files.copy(PLUGIN, plugins.resolve("a-triplet.jar"));
        rewrite(plugins.resolve("b-triplet-copy.jar"), "org.example.copy", null);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Launcher.Session session =
                new Launcher(home, new PrintStream(err, true, StandardCharsets.UTF_8)).start("modules")) {
            String problems = err.toString(StandardCharsets.UTF_8);
            assertThat(problems).contains("plug-in notes.jar skipped: not a readable jar");
            assertThat(problems)
                    .contains("plug-in plain.jar skipped: not an OSGi bundle (no Bundle-SymbolicName in its manifest)");
            assertThat(problems)
                    .contains("plug-in future-api.jar skipped: it was built for org.attnfer.api [2.0.0,3.0.0), but "
                            + "this runtime provides 1.1.0");
            assertThat(moduleIds(session)).contains("triplet", "simam", "ca", "acmix");
            String table = run(session, "modules");
            assertThat(table)
                    .contains("warning: id 'triplet' of org.example.copy 1.0.0 is already registered by "
                            + "org.example.triplet-attention 1.0.0; ignored");
            assertThatThrownBy(() -> session.install(plugins.resolve("future-api.jar")))
                    .hasMessageContaining("future-api.jar refused: it was built for org.attnfer.api [2.0.0,3.0.0)");
        }
    }

    record Outcome(int code, String out, String err) {}

    /** Runs a command in the session, keeping its output and error text. */
    private static Outcome fer(Launcher.Session session, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = session.run(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** A copy of the example plug-in with some manifest headers changed (a rebuild, another version, ...). */
    private static Path variant(Path to, Map<String, String> headers) throws IOException {
        try (JarFile in = new JarFile(PLUGIN.toFile())) {
            Manifest m = new Manifest(in.getManifest());
            headers.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to), m)) {
                for (JarEntry e : in.stream()
                        .filter(e -> !e.getName().equals("META-INF/MANIFEST.MF"))
                        .toList()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream s = in.getInputStream(e)) {
                        s.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return to;
    }

    private static String imports() throws IOException {
        try (JarFile in = new JarFile(PLUGIN.toFile())) {
            return in.getManifest().getMainAttributes().getValue("Import-Package");
        }
    }

    @Test
    void theEditBuildInstallLoopReplacesAPluginAndRefusesATakenModuleId() throws Exception {
        Path home = home();
        Path plugins = home.resolve("plugins");
        Files.copy(PLUGIN, plugins.resolve("triplet-attention-1.0.0.jar"));
        try (Launcher.Session session = new Launcher(
                        home, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start("plugins")) {
            // a rebuild of the same version, under another file name: replaces the installed one
            Path rebuilt = variant(tmp.resolve("triplet-attention-rebuilt.jar"), Map.of("Bnd-LastModified", "1"));
            Outcome same = fer(session, "plugins", "install", rebuilt.toString());
            assertThat(same.code()).as(same.err()).isZero();
            assertThat(same.out())
                    .contains("Replaced org.example.triplet-attention 1.0.0 (triplet-attention-1.0.0.jar) with "
                            + "triplet-attention-rebuilt.jar.");
            try (Stream<Path> jars = Files.list(plugins)) {
                assertThat(jars.map(p -> p.getFileName().toString())).containsExactly("triplet-attention-rebuilt.jar");
            }
        }
        // every command is a framework of its own: the next one loads the replacement
        try (Launcher.Session session = new Launcher(
                        home, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start("plugins")) {
            // another bundle whose module id is taken: refused, naming both bundles
            Path copy = variant(tmp.resolve("copy.jar"), Map.of("Bundle-SymbolicName", "org.example.copy"));
            Outcome taken = fer(session, "plugins", "install", copy.toString());
            assertThat(taken.code()).isEqualTo(1);
            assertThat(taken.err().strip())
                    .isEqualTo("fer plugins install: copy.jar cannot be installed: its module id 'triplet' of "
                            + "org.example.copy 1.0.0 is already registered by org.example.triplet-attention 1.0.0 "
                            + "(give the module another id, or remove the other plug-in first)");
            assertThat(plugins.resolve("copy.jar")).doesNotExist();
        }
    }

    @Test
    void aHandCopiedPluginThatCannotResolveIsOneLineAndTheRestWorks() throws Exception {
        Path home = home();
        variant(
                home.resolve("plugins/needs-more.jar"),
                Map.of(
                        "Bundle-SymbolicName",
                        "org.example.needs",
                        "Import-Package",
                        imports() + ",com.example.missing"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Launcher.Session session =
                new Launcher(home, new PrintStream(err, true, StandardCharsets.UTF_8)).start("modules")) {
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines)
                    .containsExactly("fer: plug-in needs-more.jar skipped: it needs package com.example.missing, which "
                            + "neither this runtime nor another plug-in provides");
            assertThat(moduleIds(session)).contains("simam", "ca");
        }
    }

    @Test
    void watchNamesWhatAPluginLacksOnceAndShowsTheNewCodeAfterAReplacement() throws Exception {
        Path home = home();
        Path plugins = home.resolve("plugins");
        Files.copy(PLUGIN, plugins.resolve("triplet.jar"));
        try (Launcher.Session session = new Launcher(
                        home, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start("watch")) {
            Thread changes = new Thread(() -> {
                try {
                    Thread.sleep(2000);
                    variant(
                            plugins.resolve("needs-more.jar"),
                            Map.of(
                                    "Bundle-SymbolicName",
                                    "org.example.needs",
                                    "Import-Package",
                                    imports() + ",com.example.missing"));
                    variant(plugins.resolve("copy.jar"), Map.of("Bundle-SymbolicName", "org.example.copy"));
                    Thread.sleep(3000);
                    Files.delete(plugins.resolve("copy.jar"));
                    Thread.sleep(2000);
                    // the edit-build loop: the same file, a new build of a new version
                    variant(tmp.resolve("next.jar"), Map.of("Bundle-Version", "1.0.1"));
                    Files.move(
                            tmp.resolve("next.jar"),
                            plugins.resolve("triplet.jar"),
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            changes.start();
            Outcome watch = fer(session, "watch", "--for", "14");
            changes.join();
            assertThat(watch.code()).as(watch.err()).isZero();
            assertThat(watch.out())
                    .contains("  triplet (org.example.triplet-attention 1.0.0): kernel=7")
                    .contains("~ triplet (org.example.triplet-attention 1.0.1): kernel=7");
            assertThat(watch.out().lines().filter(l -> l.startsWith("! plug-in org.example.needs")))
                    .containsExactly("! plug-in org.example.needs 1.0.0 (needs-more.jar) does not resolve: it needs "
                            + "package com.example.missing, which no installed bundle provides");
            assertThat(watch.out().lines().filter(l -> l.contains("id 'triplet' of org.example.copy")))
                    .hasSize(1);
        }
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Copies the example plug-in with another symbolic name and, optionally, another import of the API. */
    private static void rewrite(Path to, String name, String apiImport) throws IOException {
        Map<String, String> headers = new HashMap<>(Map.of("Bundle-SymbolicName", name));
        if (apiImport != null) {
            headers.put("Import-Package", imports().replaceFirst("org\\.attnfer\\.api;version=\"[^\"]*\"", apiImport));
        }
        variant(to, headers);
    }

    private static void writeJar(Path file, Manifest m) throws IOException {
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (OutputStream os = Files.newOutputStream(file);
                JarOutputStream out = new JarOutputStream(os, m)) {
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write("hello".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void watchPicksUpAndDropsAPluginWithoutRestart() throws Exception {
        Path home = home();
        try (Launcher.Session session = new Launcher(
                        home, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start("watch")) {
            assertThat(moduleIds(session)).doesNotContain("triplet");
            Files.copy(PLUGIN, home.resolve("plugins/triplet.jar"));
            assertThat(eventually(() -> moduleIds(session).contains("triplet")))
                    .as("installed from plugins/")
                    .isTrue();
            Files.delete(home.resolve("plugins/triplet.jar"));
            assertThat(eventually(() -> !moduleIds(session).contains("triplet")))
                    .as("uninstalled when removed")
                    .isTrue();
        }
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Polls a condition for up to 30 seconds (FileInstall polls the folder every second). */
    private static boolean eventually(Check c) throws Exception {
        for (int i = 0; i < 60; i++) {
            if (c.holds()) {
                return true;
            }
            Thread.sleep(500);
        }
        return c.holds();
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }
}
