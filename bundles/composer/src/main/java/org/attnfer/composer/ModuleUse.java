package org.attnfer.composer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One module in a model: which, where, with which parameters.
 *
 * @param id the module id ({@code ca})
 * @param hook the hook, or {@code null} for the module's default
 * @param stages the stages, or empty for the module's default
 * @param params raw parameter values, validated at composition
 */
public record ModuleUse(String id, String hook, List<Integer> stages, Map<String, Object> params) {

    /** Copies the collections. */
    public ModuleUse {
        Objects.requireNonNull(id, "module id");
        stages = stages == null ? List.of() : List.copyOf(stages);
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** A module at its defaults. */
    public static ModuleUse of(String id) {
        return new ModuleUse(id, null, List.of(), Map.of());
    }
}
