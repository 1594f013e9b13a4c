package org.attnfer.cli.internal;

import org.attnfer.composer.ModelNames;
import org.attnfer.composer.ModelSpec;
import picocli.CommandLine.Option;

/** The {@code --stem} and {@code --width} options of the commands that build a model from its shorthand. */
final class Architecture {

    @Option(names = "--stem", description = "Stem variant (see `fer modules`; default: the backbone's first).")
    String stem;

    @Option(
            names = "--width",
            converter = Bounds.Positive.class,
            defaultValue = "1",
            description =
                    "Channel multiplier of every layer, for backbones that have one (default: ${DEFAULT-VALUE}, the "
                            + "published network).")
    double width;

    /** The model a shorthand names, with this stem and width. */
    ModelSpec of(String shorthand) {
        return ModelNames.parse(shorthand).withStem(stem).withWidth(width);
    }
}
