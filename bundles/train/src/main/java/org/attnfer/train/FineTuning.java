package org.attnfer.train;

import java.util.List;
import java.util.Set;

/**
 * Fine-tuning controls: parts of the network frozen for the first epochs (their weights and their
 * BatchNorm statistics unchanged), and learning-rate multipliers per part. A part is {@code
 * backbone}, {@code modules} (the attention and sampling modules' own parameters), {@code head}
 * (the classifier: {@code fc}, {@code classifier} or {@code head}), {@code stem} (the backbone
 * before its first stage: ResNet's {@code conv1} and {@code bn1}) or any name prefix such as
 * {@code layer1}.
 *
 * @param freeze the parts frozen, empty for none
 * @param freezeEpochs for how many epochs from the start they stay frozen
 * @param lrBackbone the learning-rate multiplier of the backbone
 * @param lrHead the multiplier of the head
 * @param lrModules the multiplier of the modules
 */
public record FineTuning(List<String> freeze, int freezeEpochs, double lrBackbone, double lrHead, double lrModules) {

    /** Everything trains at the configured rate from the start. */
    public static final FineTuning NONE = new FineTuning(List.of(), 0, 1, 1, 1);

    /** The heads' names across backbone families. */
    private static final List<String> HEADS = List.of("fc", "classifier", "head");

    /** Copies the list. */
    public FineTuning {
        freeze = List.copyOf(freeze);
    }

    /** Whether a parameter is frozen in a (1-based) epoch. */
    public boolean frozen(String name, Set<String> modules, int epoch) {
        return epoch <= freezeEpochs && freeze.stream().anyMatch(part -> inPart(name, part, modules));
    }

    /** The learning-rate multiplier of a parameter, 0 while it is frozen. */
    public double multiplier(String name, Set<String> modules, int epoch) {
        if (frozen(name, modules, epoch)) {
            return 0;
        }
        if (modules.contains(name)) {
            return lrModules;
        }
        return isHead(name) ? lrHead : lrBackbone;
    }

    /** Whether a parameter belongs to a part. */
    static boolean inPart(String name, String part, Set<String> modules) {
        return switch (part) {
            case "modules" -> modules.contains(name);
            case "head" -> isHead(name);
            case "backbone" -> !modules.contains(name) && !isHead(name);
            case "stem" -> !modules.contains(name) && !isHead(name) && inStem(name);
            default -> name.equals(part) || name.startsWith(part + ".");
        };
    }

    /** Before the first stage: ResNet's {@code conv1} and {@code bn1}; {@code features.0} of torchvision's other families. */
    private static boolean inStem(String name) {
        String first = first(name);
        return first.equals("features") ? name.startsWith("features.0.") : !first.startsWith("layer");
    }

    private static boolean isHead(String name) {
        return HEADS.contains(first(name));
    }

    private static String first(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
