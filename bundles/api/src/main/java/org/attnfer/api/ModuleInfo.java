package org.attnfer.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a network module is and where it goes by default.
 *
 * @param id the short name used in model names and experiment files ({@code simam}); also the
 *     parameter-key prefix of the module inside a network ({@code layer1.0.ca.fc1.weight})
 * @param title a human name ({@code SimAM})
 * @param paper the paper the module implements, as a citation
 * @param defaultHook the backbone hook it goes to when an experiment names none
 * @param defaultStages the stages it goes to by default; empty means every stage the hook has
 * @param params the parameters it accepts
 */
public record ModuleInfo(
        String id,
        String title,
        String paper,
        String defaultHook,
        List<Integer> defaultStages,
        List<ParamSpec> params) {

    /** Checks the description. */
    public ModuleInfo {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("module id '" + id + "' must be lower case letters, digits and '_'");
        }
        Objects.requireNonNull(defaultHook, "defaultHook");
        defaultStages = List.copyOf(defaultStages);
        params = List.copyOf(params);
    }

    /** Validates raw parameter values against {@link #params()}. */
    public Params validate(Map<String, ?> raw) {
        return Params.validate(params, raw);
    }
}
