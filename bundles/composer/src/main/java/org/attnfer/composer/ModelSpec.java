package org.attnfer.composer;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A model: a backbone variant and its modules, in the order they apply at each hook.
 *
 * @param backbone the backbone variant ({@code resnet50})
 * @param stem the stem variant, or {@code null} for the backbone's default
 * @param modules the modules in order
 * @param width the channel multiplier of every layer (1: the published network)
 */
public record ModelSpec(String backbone, String stem, List<ModuleUse> modules, double width) {

    /** Copies the module list and checks the width. */
    public ModelSpec {
        Objects.requireNonNull(backbone, "backbone");
        modules = List.copyOf(modules);
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException(
                    "model '" + backbone + "': width must be a positive number, got " + width);
        }
    }

    /** A model at the published width. */
    public ModelSpec(String backbone, String stem, List<ModuleUse> modules) {
        this(backbone, stem, modules, 1);
    }

    /** This model with another stem ({@code null}: the backbone's default). */
    public ModelSpec withStem(String otherStem) {
        return new ModelSpec(backbone, otherStem, modules, width);
    }

    /** This model with another channel multiplier. */
    public ModelSpec withWidth(double otherWidth) {
        return new ModelSpec(backbone, stem, modules, otherWidth);
    }

    /**
     * The shorthand, then the stem and width where they are not the defaults ({@code resnet18+simam, half stem, width
     * 0.5}).
     */
    public String describe() {
        String plainWidth = BigDecimal.valueOf(width).stripTrailingZeros().toPlainString();
        return shorthand() + (stem == null ? "" : ", " + stem + " stem") + (width == 1 ? "" : ", width " + plainWidth);
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
