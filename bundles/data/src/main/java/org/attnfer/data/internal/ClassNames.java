package org.attnfer.data.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.attnfer.data.Emotions;

/**
 * The class of each folder name: an explicit mapping first ({@code classes: "Other=skip,
 * Joy=happy"}), then the emotions' usual spellings, then contempt when asked for. Any other name is
 * an error unless {@code extra_classes: allow} keeps it as a class of its own: a stray folder must
 * not silently turn a seven-class study into an eight-class one.
 */
final class ClassNames {

    /** The mapping value that leaves a folder out. */
    static final String SKIP = "skip";

    private final Path root;
    private final Map<String, String> mapping;
    private final boolean contempt;
    private final boolean extraClasses;
    private final Map<String, String> account = new LinkedHashMap<>();

    ClassNames(Path root, Map<String, String> mapping, boolean contempt, boolean extraClasses) {
        this.root = root;
        this.mapping = mapping;
        this.contempt = contempt;
        this.extraClasses = extraClasses;
    }

    /**
     * Parses {@code "folder=class, folder=class"}; a class is one of the seven emotions (any
     * spelling), contempt or {@code skip}.
     */
    static Map<String, String> parseMapping(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(",", -1)) {
            int eq = pair.indexOf('=');
            String folder = eq < 0 ? "" : pair.substring(0, eq).strip();
            String target = eq < 0 ? "" : pair.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            if (folder.isEmpty() || target.isEmpty()) {
                throw new IllegalArgumentException(
                        "classes: expected folder=class pairs separated by commas (e.g. \"Joy=happy, Other=skip\"),"
                                + " got '" + pair.strip() + "'");
            }
            String cls = target.equals(SKIP)
                    ? SKIP
                    : Emotions.isContempt(target)
                            ? Emotions.CONTEMPT
                            : Emotions.canonical(target)
                                    .orElseThrow(() -> new IllegalArgumentException("classes: " + folder + "=" + target
                                            + " is not one of " + String.join(", ", Emotions.CANONICAL)
                                            + ", contempt or skip"));
            if (out.put(folder, cls) != null) {
                throw new IllegalArgumentException("classes: folder " + folder + " is mapped twice");
            }
        }
        return out;
    }

    /** The class of a folder, or empty when it is left out. */
    Optional<String> of(String folder) {
        String cls;
        String why;
        if (mapping.containsKey(folder)) {
            cls = mapping.get(folder);
            why = "";
        } else if (Emotions.canonical(folder).isPresent()) {
            cls = Emotions.canonical(folder).get();
            why = "";
        } else if (Emotions.isContempt(folder)) {
            cls = Emotions.CONTEMPT;
            why = "";
        } else {
            cls = extraClasses ? folder : null;
            why = extraClasses ? " (extra class)" : "";
        }
        if (Emotions.CONTEMPT.equals(cls) && !contempt) {
            account.put(folder, "left out (contempt: true keeps it)");
            return Optional.empty();
        }
        if (SKIP.equals(cls)) {
            account.put(folder, "left out");
            return Optional.empty();
        }
        if (cls != null) {
            account.put(folder, cls + why);
        }
        return Optional.ofNullable(cls);
    }

    /** Stops on folders that are no class and on mappings of folders that do not exist. */
    void checkAllKnown(List<String> folders) {
        List<String> unknown =
                folders.stream().filter(f -> !account.containsKey(f)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + ": the class folder"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + (unknown.size() > 1 ? " are" : " is") + " not one of the seven emotions ("
                    + String.join(", ", Emotions.CANONICAL) + "); map "
                    + (unknown.size() > 1 ? "them" : "it") + " with the dataset option classes=\"" + unknown.get(0)
                    + "=happy\" (=skip leaves one out), or keep other classes with extra_classes=allow");
        }
        TreeSet<String> missing = new TreeSet<>(mapping.keySet());
        folders.forEach(missing::remove);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + " has no class folder "
                    + String.join(", ", missing) + " named in the classes option (folders: "
                    + String.join(", ", folders)
                    + ")");
        }
    }

    /** Folder → class, as the dataset describes itself. */
    String account() {
        List<String> parts = new ArrayList<>();
        account.forEach((folder, cls) -> parts.add(folder + " → " + cls));
        return String.join(", ", parts);
    }

    /** The classes present in their order: the emotions as FER2013 numbers them, contempt, then others alphabetically. */
    static List<String> order(List<String> present) {
        List<String> out = new ArrayList<>();
        Emotions.CANONICAL.stream().filter(present::contains).forEach(out::add);
        if (present.contains(Emotions.CONTEMPT)) {
            out.add(Emotions.CONTEMPT);
        }
        present.stream().filter(c -> !out.contains(c)).sorted().forEach(out::add);
        return out;
    }
}
