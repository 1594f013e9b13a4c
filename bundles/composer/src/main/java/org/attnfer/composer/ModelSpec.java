package org.attnfer.composer;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A model: a backbone variant and its modules, in the order they apply at each hook.
 *
 * @param backbone the backbone variant ({@code resnet50})
 * @param stem the stem variant, or {@code null} for the backbone's default
 * @param modules the modules in order
 */
public record ModelSpec(String backbone, String stem, List<ModuleUse> modules) {

    /** Copies the module list. */
    public ModelSpec {
        Objects.requireNonNull(backbone, "backbone");
        modules = List.copyOf(modules);
    }

    /** This model with another stem ({@code null}: the backbone's default). */
    public ModelSpec withStem(String otherStem) {
        return new ModelSpec(backbone, otherStem, modules);
    }

    /**
     * The shorthand of this model: backbone, then each module with its non-default settings
     * ({@code resnet50+ca(reduction=8)@bottleneck.after_bn3[3,4]}).
     */
    public String shorthand() {
        StringBuilder sb = new StringBuilder(backbone);
        for (ModuleUse m : modules) {
            sb.append('+').append(m.id());
            if (!m.params().isEmpty()) {
                sb.append(m.params().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",", "(", ")")));
            }
            if (m.hook() != null) {
                sb.append('@').append(m.hook());
            }
            if (!m.stages().isEmpty()) {
                sb.append(m.stages().stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
            }
        }
        return sb.toString();
    }
}
