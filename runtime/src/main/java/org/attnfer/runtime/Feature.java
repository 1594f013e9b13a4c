package org.attnfer.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A named set of bundles installed together, read from {@code features/<name>.feature}: the first
 * comment line is the description, every other non-blank line a bundle symbolic name.
 *
 * @param name the file name without extension
 * @param description what the feature brings
 * @param bundles bundle symbolic names, in install order
 */
public record Feature(String name, String description, List<String> bundles) {

    /** Reads every feature of a folder, sorted by name. */
    public static List<Feature> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no features folder at " + dir);
        }
        List<Feature> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".feature"))
                    .sorted()
                    .toList()) {
                out.add(read(f));
            }
        }
        return out;
    }

    private static Feature read(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.feature$", "");
        String description = "";
        List<String> bundles = new ArrayList<>();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                if (description.isEmpty()) {
                    description = line.substring(1).strip();
                }
            } else if (!line.isEmpty()) {
                bundles.add(line);
            }
        }
        return new Feature(name, description, bundles);
    }
}
