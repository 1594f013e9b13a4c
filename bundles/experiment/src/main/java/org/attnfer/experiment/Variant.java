package org.attnfer.experiment;

import org.attnfer.composer.ModelSpec;

/**
 * One model of an experiment.
 *
 * @param name its name in tables ({@code ResNet50+CA})
 * @param model the model
 * @param where {@code file:line:} of its definition, for errors found when it is composed
 */
public record Variant(String name, ModelSpec model, String where) {

    /** A name fit for a folder: letters, digits and {@code + - _ .}; anything else becomes {@code _}. */
    public String folder() {
        return name.replaceAll("[^A-Za-z0-9+._-]", "_");
    }
}
