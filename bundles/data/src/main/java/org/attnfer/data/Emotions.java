package org.attnfer.data;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The seven emotion classes of FER2013, in its label order, and the names other datasets use for
 * them (RAF-DB, CK+, AffectNet exports).
 */
public final class Emotions {

    /** The canonical classes in FER2013's order (labels 0 to 6). */
    public static final List<String> CANONICAL =
            List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("anger", "angry"),
            Map.entry("angry", "angry"),
            Map.entry("disgust", "disgust"),
            Map.entry("disgusted", "disgust"),
            Map.entry("fear", "fear"),
            Map.entry("fearful", "fear"),
            Map.entry("afraid", "fear"),
            Map.entry("happy", "happy"),
            Map.entry("happiness", "happy"),
            Map.entry("joy", "happy"),
            Map.entry("neutral", "neutral"),
            Map.entry("sad", "sad"),
            Map.entry("sadness", "sad"),
            Map.entry("surprise", "surprise"),
            Map.entry("surprised", "surprise"));

    /** The eighth class of CK+ and AffectNet, kept only when asked for; it comes after the seven. */
    public static final String CONTEMPT = "contempt";

    private Emotions() {}

    /** The canonical name of a class name, case-insensitively ({@code Sadness → sad}), if it is one of the seven. */
    public static Optional<String> canonical(String name) {
        return Optional.ofNullable(ALIASES.get(name.strip().toLowerCase(Locale.ROOT)));
    }

    /** Whether a class name means contempt ({@code Contempt}, {@code contemptuous}). */
    public static boolean isContempt(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.equals(CONTEMPT) || n.equals("contemptuous");
    }
}
